/**
 * A pickle virtual machine for protocols 0 to 5: it reads opcodes and builds JavaScript values, interpreting
 * globals through `globals.ts` instead of importing anything. Every read is bounds-checked, so a truncated or
 * corrupt stream ends in an Error with the byte offset, never a hang.
 */
import { PySet, buildObject, newObject, reduceGlobal, resolveGlobal } from './globals';
import { copyBytes } from './dtype';
import { finalizeValue } from './finalize';
import { markTuple, type PyValue } from './py-value';

export interface UnpickleOptions {
  /** Byte offset to start at (legacy .pth files hold several pickles back to back). */
  start?: number;
  /** `persistent_load(pid)` for PERSID / BINPERSID (torch storages). Without it, persistent ids are an error. */
  persistentLoad?: (pid: unknown) => unknown;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past STOP. */
  end: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Decodes one pickle from `bytes`. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): UnpickleResult {
  return new Unpickler(bytes, options).run();
}

/** Decodes a whole pickle file (`pickle.dump` output). */
export function loadPickle(bytes: Uint8Array): PyValue {
  return unpickle(bytes).value;
}

class Unpickler {
  private pos: number;
  private stack: unknown[] = [];
  private metastack: unknown[][] = [];
  // Memo indices are dense in practice; an array is much faster than a Map for the millions of PUTs of a split.
  private memo: unknown[] = [];
  private memoSize = 0;
  /** Objects fetched from the memo: the only ones that can be shared or cyclic. */
  private readonly shared = new Set<unknown>();
  private readonly buffer: Buffer;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.pos = options.start ?? 0;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): UnpickleResult {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      try {
        if (op === 0x2e /* . STOP */) {
          const value = this.pop();
          return { value: finalizeValue(value, this.shared), end: this.pos };
        }
        this.step(op);
      } catch (error) {
        const message = (error as Error).message;
        if (message.startsWith('truncated') || message.includes(' at byte ')) throw error;
        throw new Error(`${message} (opcode 0x${op.toString(16)} at byte ${at})`);
      }
    }
  }

  private step(op: number): void {
    switch (op) {
      // Structure
      case 0x28:
        this.metastack.push(this.stack);
        this.stack = [];
        return; // ( MARK
      case 0x30:
        if (this.stack.length) this.stack.pop();
        else this.popMark();
        return; // 0 POP
      case 0x31:
        this.popMark();
        return; // 1 POP_MARK
      case 0x32: {
        const top = this.top();
        if (typeof top === 'object' && top !== null) this.shared.add(top);
        this.push(top);
        return;
      } // 2 DUP
      case 0x80:
        this.u8();
        return; // PROTO
      case 0x95:
        this.take(8);
        return; // FRAME: a length hint only
      // Scalars
      case 0x4e:
        this.push(null);
        return; // N NONE
      case 0x88:
        this.push(true);
        return; // NEWTRUE
      case 0x89:
        this.push(false);
        return; // NEWFALSE
      case 0x4a:
        this.push(this.view.getInt32(this.advance(4), true));
        return; // J BININT
      case 0x4b:
        this.push(this.u8());
        return; // K BININT1
      case 0x4d:
        this.push(this.view.getUint16(this.advance(2), true));
        return; // M BININT2
      case 0x8a:
        this.push(decodeLong(this.take(this.u8())));
        return; // LONG1
      case 0x8b:
        this.push(decodeLong(this.take(this.i32len())));
        return; // LONG4
      case 0x47:
        this.push(this.view.getFloat64(this.advance(8), false));
        return; // G BINFLOAT (big-endian)
      case 0x46:
        this.push(parseFloat(this.line()));
        return; // F FLOAT
      case 0x49:
        this.push(parseTextInt(this.line()));
        return; // I INT
      case 0x4c:
        this.push(parseTextInt(this.line().replace(/L$/, '')));
        return; // L LONG
      // Strings and bytes
      case 0x58:
        this.push(this.utf8(this.i32len()));
        return; // X BINUNICODE
      case 0x8c:
        this.push(this.utf8(this.u8()));
        return; // SHORT_BINUNICODE
      case 0x8d:
        this.push(this.utf8(this.u64len()));
        return; // BINUNICODE8
      case 0x56:
        this.push(decodeRawUnicodeEscape(this.line()));
        return; // V UNICODE
      case 0x55:
        this.push(py2String(this.take(this.u8())));
        return; // U SHORT_BINSTRING
      case 0x54:
        this.push(py2String(this.take(this.i32len())));
        return; // T BINSTRING
      case 0x53:
        this.push(decodeStringRepr(this.line()));
        return; // S STRING
      case 0x43:
        this.push(copyBytes(this.take(this.u8())));
        return; // C SHORT_BINBYTES
      case 0x42:
        this.push(copyBytes(this.take(this.i32len())));
        return; // B BINBYTES
      case 0x8e:
        this.push(copyBytes(this.take(this.u64len())));
        return; // BINBYTES8
      case 0x96:
        this.push(copyBytes(this.take(this.u64len())));
        return; // BYTEARRAY8
      case 0x97:
        throw new Error('out-of-band pickle buffers (NEXT_BUFFER) are not supported');
      case 0x98:
        return; // READONLY_BUFFER
      // Containers
      case 0x5d:
        this.push([]);
        return; // ] EMPTY_LIST
      case 0x29:
        this.push(markTuple([]));
        return; // ) EMPTY_TUPLE
      case 0x7d:
        this.push(new Map());
        return; // } EMPTY_DICT
      case 0x8f:
        this.push(new PySet());
        return; // EMPTY_SET
      case 0x6c:
        this.push(this.popMark());
        return; // l LIST
      case 0x74:
        this.push(markTuple(this.popMark()));
        return; // t TUPLE
      case 0x91: {
        const set = new PySet();
        set.items.push(...this.popMark());
        this.push(set);
        return;
      } // FROZENSET
      case 0x85:
        this.push(markTuple([this.pop()]));
        return; // TUPLE1
      case 0x86: {
        const b = this.pop();
        const a = this.pop();
        this.push(markTuple([a, b]));
        return;
      } // TUPLE2
      case 0x87: {
        const c = this.pop();
        const b = this.pop();
        const a = this.pop();
        this.push(markTuple([a, b, c]));
        return;
      }
      case 0x64:
        this.push(pairsToMap(this.popMark()));
        return; // d DICT
      case 0x61: {
        const v = this.pop();
        this.appendTo(this.top(), [v]);
        return;
      } // a APPEND
      case 0x65: {
        const items = this.popMark();
        this.appendTo(this.top(), items);
        return;
      } // e APPENDS
      case 0x90: {
        const items = this.popMark();
        this.appendTo(this.top(), items);
        return;
      } // ADDITEMS
      case 0x73: {
        const v = this.pop();
        const k = this.pop();
        this.setItems(this.top(), [k, v]);
        return;
      } // s SETITEM
      case 0x75: {
        const items = this.popMark();
        this.setItems(this.top(), items);
        return;
      } // u SETITEMS
      // Memo
      case 0x71:
        this.memoPut(this.u8());
        return; // q BINPUT
      case 0x72:
        this.memoPut(this.view.getUint32(this.advance(4), true));
        return; // r LONG_BINPUT
      case 0x70:
        this.memoPut(parseInt(this.line(), 10));
        return; // p PUT
      case 0x94:
        this.memoPut(this.memoSize);
        return; // MEMOIZE
      case 0x68:
        this.push(this.memoGet(this.u8()));
        return; // h BINGET
      case 0x6a:
        this.push(this.memoGet(this.view.getUint32(this.advance(4), true)));
        return; // j LONG_BINGET
      case 0x67:
        this.push(this.memoGet(parseInt(this.line(), 10)));
        return; // g GET
      // Globals and objects
      case 0x63: {
        const module = this.line();
        const name = this.line();
        this.push(resolveGlobal(module, name));
        return;
      } // c GLOBAL
      case 0x93: {
        const name = this.pop();
        const module = this.pop();
        this.push(resolveGlobal(String(module), String(name)));
        return;
      }
      case 0x52: {
        const args = this.pop();
        const fn = this.pop();
        this.push(reduceGlobal(fn, asArgs(args)));
        return;
      } // R REDUCE
      case 0x81: {
        const args = this.pop();
        const cls = this.pop();
        this.push(newObject(cls, asArgs(args)));
        return;
      } // NEWOBJ
      case 0x92: {
        this.pop();
        const args = this.pop();
        const cls = this.pop();
        this.push(newObject(cls, asArgs(args)));
        return;
      } // NEWOBJ_EX
      case 0x6f: {
        const [cls, ...args] = this.popMark();
        this.push(newObject(cls, args));
        return;
      } // o OBJ
      case 0x69: {
        const cls = resolveGlobal(this.line(), this.line());
        this.push(newObject(cls, this.popMark()));
        return;
      } // i INST
      case 0x62: {
        const state = this.pop();
        buildObject(this.top(), state);
        return;
      } // b BUILD
      case 0x51:
        this.push(this.persistent(this.pop()));
        return; // Q BINPERSID
      case 0x50:
        this.push(this.persistent(this.line()));
        return; // P PERSID
      case 0x82:
      case 0x83:
      case 0x84:
        throw new Error('pickle uses the copyreg extension registry (EXT*), which is not supported');
      default:
        throw new Error(`corrupt pickle: unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }

  // --- stack helpers ---

  /** Pushes onto the stack as it is after the argument was computed (popMark swaps stacks). */
  private push(value: unknown): void {
    this.stack.push(value);
  }

  private pop(): unknown {
    if (!this.stack.length) throw new Error('corrupt pickle: stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (!this.stack.length) throw new Error('corrupt pickle: stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): unknown[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) throw new Error('corrupt pickle: MARK expected');
    this.stack = previous;
    return items;
  }

  private memoPut(index: number): void {
    if (!Number.isInteger(index) || index < 0) throw new Error(`corrupt pickle: bad memo index ${index}`);
    if (this.memo[index] === undefined) this.memoSize++;
    this.memo[index] = this.top();
  }

  private memoGet(index: number): unknown {
    const value = this.memo[index];
    if (value === undefined) throw new Error(`corrupt pickle: memo entry ${index} was never stored`);
    if (typeof value === 'object' && value !== null) this.shared.add(value);
    return value;
  }

  private appendTo(target: unknown, items: unknown[]): void {
    if (Array.isArray(target)) for (const item of items) target.push(item);
    else if (target instanceof PySet) target.items.push(...items);
    else throw new Error('corrupt pickle: APPEND to something that is not a list');
  }

  private setItems(target: unknown, flat: unknown[]): void {
    if (!(target instanceof Map)) throw new Error('corrupt pickle: SETITEM on something that is not a dict');
    for (let i = 0; i + 1 < flat.length; i += 2) target.set(flat[i], flat[i + 1]);
  }

  private persistent(pid: unknown): unknown {
    if (!this.options.persistentLoad) throw new Error('pickle holds persistent ids (torch storages) but no container to load them from');
    return this.options.persistentLoad(pid);
  }

  // --- byte reading ---

  private advance(n: number): number {
    if (this.pos + n > this.bytes.length) {
      throw new Error(`truncated pickle: needs ${n} more bytes at byte ${this.pos} of ${this.bytes.length}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private take(n: number): Uint8Array {
    const at = this.advance(n);
    return this.bytes.subarray(at, at + n);
  }

  private u8(): number {
    return this.bytes[this.advance(1)];
  }

  private i32len(): number {
    const n = this.view.getInt32(this.advance(4), true);
    if (n < 0) throw new Error(`corrupt pickle: negative length ${n}`);
    return n;
  }

  private u64len(): number {
    const n = this.view.getBigUint64(this.advance(8), true);
    if (n > BigInt(this.bytes.length)) throw new Error(`truncated pickle: length ${n} exceeds the ${this.bytes.length}-byte stream`);
    return Number(n);
  }

  /** A protocol-0 text argument, up to (not including) the newline. */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new Error(`truncated pickle: unterminated text argument at byte ${this.pos}`);
    const text = latin1.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  /** The next `n` bytes as UTF-8 (Buffer's decoder: far faster than TextDecoder for millions of short strings). */
  private utf8(n: number): string {
    const at = this.advance(n);
    return this.buffer.toString('utf8', at, at + n);
  }
}

function asArgs(args: unknown): unknown[] {
  if (!Array.isArray(args)) throw new Error('corrupt pickle: arguments are not a tuple');
  return args;
}

function pairsToMap(flat: unknown[]): Map<unknown, unknown> {
  const map = new Map();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
  return map;
}

/** Little-endian two's complement → number when it fits exactly, bigint beyond 2^53. */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return narrow(value);
}

function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseTextInt(text: string): number | bigint | boolean {
  if (text === '00') return false;
  if (text === '01') return true;
  if (!/^[-+]?\d+$/.test(text)) throw new Error(`corrupt pickle: bad integer '${text}'`);
  return narrow(BigInt(text));
}

/** Python 2 `str` bytes: UTF-8 when valid, else latin-1 (as torch.load with encoding='utf-8' falls back). */
function py2String(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** STRING argument: a Python `repr` of a byte string, quotes included. */
function decodeStringRepr(text: string): string {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text[text.length - 1] !== quote || text.length < 2) {
    throw new Error('corrupt pickle: STRING argument is not quoted');
  }
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      bytes.push(body.charCodeAt(i) & 0xff);
      continue;
    }
    const e = body[++i];
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
    if (e !== undefined && e in simple) bytes.push(simple[e]);
    else if (e === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else bytes.push(92, (e ?? '').charCodeAt(0));
  }
  return py2String(Uint8Array.from(bytes));
}

/** UNICODE argument: raw-unicode-escape (latin-1 text with \uXXXX and \UXXXXXXXX escapes). */
function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u4: string | undefined, u8: string | undefined) =>
    String.fromCodePoint(parseInt((u4 ?? u8)!, 16)),
  );
}
