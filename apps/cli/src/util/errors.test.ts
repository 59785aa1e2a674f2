import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '@clip-vg/test-utils';
import { oneLine } from './errors';

test("Node's raw file-system errors become <file>: <problem>, wrapped or not", () => {
  const dir = tempDir('clip-vg-errors-');
  mkdirSync(path.join(dir, 'folder'));
  writeFileSync(path.join(dir, 'file'), 'x');
  const thrown = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error('did not throw');
  };
  expect(oneLine(thrown(() => writeFileSync(path.join(dir, 'folder'), 'x')))).toBe(`${path.join(dir, 'folder')}: is a folder, expected a file`);
  expect(oneLine(thrown(() => writeFileSync(path.join(dir, 'file', 'inner'), 'x')))).toBe(
    `${path.join(dir, 'file', 'inner')}: a part of the path is a file, not a folder`,
  );
  expect(oneLine(thrown(() => mkdirSync(path.join(dir, 'folder'))))).toBe(`${path.join(dir, 'folder')}: already exists`);
  expect(oneLine(new Error("data synthesize: EACCES: permission denied, open '/x/y.png'"))).toBe('data synthesize: /x/y.png: permission denied');
  expect(oneLine(new Error("EPERM: operation not permitted, rename '/a.tmp' -> '/b'"))).toBe('/a.tmp: operation not permitted');
  expect(oneLine(new Error('plain message\nsecond line'))).toBe('plain message');
});
