import { PACKAGE_NAME } from './index';

test('exports its name', () => {
  expect(PACKAGE_NAME).toBe('@clip-vg/image');
});
