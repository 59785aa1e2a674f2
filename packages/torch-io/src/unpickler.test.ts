import { readFileSync } from 'node:fs';
import { describeShared, sharedPath } from '@clip-vg/test-utils';
import { isPyTuple, loadPickle, loadPth, NumpyArray, PyObject, TorchStorage, unpickle, type PyDict, type TorchTensor } from './index';
import { tagged } from './test-helpers';

/**
 * `pickle.dumps(obj, protocol=p)` for p = 0..5 of one object that exercises every value kind, made once with
 * CPython 3.11 (see the object in `expected` below) and pasted here so the test needs no Python.
 */
const PICKLES: string[] = [
  // protocol 0
  '286470300a56696e74730a70310a286c70320a49300a61493235350a61493235360a614936353533360a61492d310a61492d3231343734' +
    '38333634380a614c323134373438333634384c0a614c313138303539313632303731373431313330333432344c0a614c2d313138303539' +
    '313632303731373431313330333432344c0a617356666c6f6174730a70330a286c70340a46322e350a61462d302e300a614631652b3330' +
    '300a6173567374720a70350a56e7612076610a70360a73566e6f6e650a70370a4e7356626f6f6c730a70380a284930310a4930300a7470' +
    '390a73567475706c650a7031300a2849310a2849320a49330a747031310a2874747031320a735662797465730a7031330a635f636f6465' +
    '63730a656e636f64650a7031340a28565c7530303030ff61620a7031350a566c6174696e310a7031360a747031370a527031380a735673' +
    '65740a7031390a635f5f6275696c74696e5f5f0a7365740a7032300a28286c7032310a49370a61747032320a527032330a73566f640a70' +
    '32340a63636f6c6c656374696f6e730a4f726465726564446963740a7032350a2874527032360a56620a7032370a49310a7356610a7032' +
    '380a49320a737356696e746b6579730a7032390a28647033300a49310a566f6e650a7033310a736731310a56706169720a7033320a7373' +
    '566e730a7033330a63636f70795f7265670a5f7265636f6e7374727563746f720a7033340a286361726770617273650a4e616d65737061' +
    '63650a7033350a635f5f6275696c74696e5f5f0a6f626a6563740a7033360a4e747033370a527033380a28647033390a566c720a703430' +
    '0a46302e350a73566e616d650a7034310a56780a7034320a73627356636f756e7465720a7034330a63636f6c6c656374696f6e730a436f' +
    '756e7465720a7034340a2828647034350a566c6566740a7034360a49330a735672696768740a7034370a49320a73747034380a52703439' +
    '0a732e',
  // protocol 1
  '7d7100285804000000696e747371015d7102284b004bff4d00014a000001004affffffff4a000000804c323134373438333634384c0a4c' +
    '313138303539313632303731373431313330333432344c0a4c2d313138303539313632303731373431313330333432344c0a6558060000' +
    '00666c6f61747371035d710428474004000000000000478000000000000000477e37e43c8800759c655803000000737472710558060000' +
    '00c3a761207661710658040000006e6f6e6571074e5805000000626f6f6c737108284930310a4930300a74710958050000007475706c65' +
    '710a284b01284b024b0374710b2974710c58050000006279746573710d635f636f646563730a656e636f64650a710e28580500000000c3' +
    'bf6162710f58060000006c6174696e31711074711152711258030000007365747113635f5f6275696c74696e5f5f0a7365740a7114285d' +
    '71154b076174711652711758020000006f64711863636f6c6c656374696f6e730a4f726465726564446963740a71192952711a28580100' +
    '000062711b4b01580100000061711c4b02755807000000696e746b657973711d7d711e284b0158030000006f6e65711f680b5804000000' +
    '7061697271207558020000006e73712163636f70795f7265670a5f7265636f6e7374727563746f720a7122286361726770617273650a4e' +
    '616d6573706163650a7123635f5f6275696c74696e5f5f0a6f626a6563740a71244e7471255271267d71272858020000006c727128473f' +
    'e000000000000058040000006e616d657129580100000078712a75625807000000636f756e746572712b63636f6c6c656374696f6e730a' +
    '436f756e7465720a712c287d712d2858040000006c656674712e4b0358050000007269676874712f4b0275747130527131752e',
  // protocol 2
  '80027d7100285804000000696e747371015d7102284b004bff4d00014a000001004affffffff4a000000808a0500000080008a09000000' +
    '0000000000408a090000000000000000c0655806000000666c6f61747371035d710428474004000000000000478000000000000000477e' +
    '37e43c8800759c65580300000073747271055806000000c3a761207661710658040000006e6f6e6571074e5805000000626f6f6c737108' +
    '888986710958050000007475706c65710a4b014b024b0386710b2987710c58050000006279746573710d635f636f646563730a656e636f' +
    '64650a710e580500000000c3bf6162710f58060000006c6174696e31711086711152711258030000007365747113635f5f6275696c7469' +
    '6e5f5f0a7365740a71145d71154b076185711652711758020000006f64711863636f6c6c656374696f6e730a4f72646572656444696374' +
    '0a71192952711a28580100000062711b4b01580100000061711c4b02755807000000696e746b657973711d7d711e284b0158030000006f' +
    '6e65711f680b58040000007061697271207558020000006e7371216361726770617273650a4e616d6573706163650a7122298171237d71' +
    '242858020000006c727125473fe000000000000058040000006e616d657126580100000078712775625807000000636f756e7465727128' +
    '63636f6c6c656374696f6e730a436f756e7465720a71297d712a2858040000006c656674712b4b0358050000007269676874712c4b0275' +
    '85712d52712e752e',
  // protocol 3
  '80037d7100285804000000696e747371015d7102284b004bff4d00014a000001004affffffff4a000000808a0500000080008a09000000' +
    '0000000000408a090000000000000000c0655806000000666c6f61747371035d710428474004000000000000478000000000000000477e' +
    '37e43c8800759c65580300000073747271055806000000c3a761207661710658040000006e6f6e6571074e5805000000626f6f6c737108' +
    '888986710958050000007475706c65710a4b014b024b0386710b2987710c58050000006279746573710d430400ff6162710e5803000000' +
    '736574710f636275696c74696e730a7365740a71105d71114b076185711252711358020000006f64711463636f6c6c656374696f6e730a' +
    '4f726465726564446963740a7115295271162858010000006271174b0158010000006171184b02755807000000696e746b65797371197d' +
    '711a284b0158030000006f6e65711b680b580400000070616972711c7558020000006e73711d6361726770617273650a4e616d65737061' +
    '63650a711e2981711f7d71202858020000006c727121473fe000000000000058040000006e616d65712258010000007871237562580700' +
    '0000636f756e746572712463636f6c6c656374696f6e730a436f756e7465720a71257d71262858040000006c65667471274b0358050000' +
    '00726967687471284b027585712952712a752e',
  // protocol 4
  '80049581010000000000007d94288c04696e7473945d94284b004bff4d00014a000001004affffffff4a000000808a0500000080008a09' +
    '0000000000000000408a090000000000000000c0658c06666c6f617473945d9428474004000000000000478000000000000000477e37e4' +
    '3c8800759c658c03737472948c06c3a761207661948c046e6f6e65944e8c05626f6f6c7394888986948c057475706c65944b014b024b03' +
    '86942987948c05627974657394430400ff6162948c03736574948f94284b07908c026f64948c0b636f6c6c656374696f6e73948c0b4f72' +
    '646572656444696374949394295294288c0162944b018c0161944b02758c07696e746b657973947d94284b018c036f6e6594680b8c0470' +
    '61697294758c026e73948c086172677061727365948c094e616d6573706163659493942981947d94288c026c7294473fe0000000000000' +
    '8c046e616d65948c01789475628c07636f756e7465729468128c07436f756e7465729493947d94288c046c656674944b038c0572696768' +
    '74944b027585945294752e',
  // protocol 5
  '80059581010000000000007d94288c04696e7473945d94284b004bff4d00014a000001004affffffff4a000000808a0500000080008a09' +
    '0000000000000000408a090000000000000000c0658c06666c6f617473945d9428474004000000000000478000000000000000477e37e4' +
    '3c8800759c658c03737472948c06c3a761207661948c046e6f6e65944e8c05626f6f6c7394888986948c057475706c65944b014b024b03' +
    '86942987948c05627974657394430400ff6162948c03736574948f94284b07908c026f64948c0b636f6c6c656374696f6e73948c0b4f72' +
    '646572656444696374949394295294288c0162944b018c0161944b02758c07696e746b657973947d94284b018c036f6e6594680b8c0470' +
    '61697294758c026e73948c086172677061727365948c094e616d6573706163659493942981947d94288c026c7294473fe0000000000000' +
    '8c046e616d65948c01789475628c07636f756e7465729468128c07436f756e7465729493947d94288c046c656674944b038c0572696768' +
    '74944b027585945294752e',
];

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

const expected = {
  ints: [0, 255, 256, 65536, -1, -(2 ** 31), 2 ** 31, { __bigint__: String(2n ** 70n) }, { __bigint__: String(-(2n ** 70n)) }],
  floats: [2.5, -0, 1e300],
  str: 'ça va',
  none: null,
  bools: { __tuple__: [true, false] },
  tuple: { __tuple__: [1, { __tuple__: [2, 3] }, { __tuple__: [] }] },
  bytes: [0, 255, 97, 98],
  set: [7],
  od: { b: 1, a: 2 },
  intkeys: {
    __map__: [
      [1, 'one'],
      [{ __tuple__: [2, 3] }, 'pair'],
    ],
  },
  ns: { lr: 0.5, name: 'x' },
  counter: { left: 3, right: 2 },
};

describe('loadPickle: protocols 0 to 5', () => {
  test.each(PICKLES.map((p, i) => [i, p] as const))('protocol %i', (_, pickle) => {
    const value = loadPickle(hex(pickle)) as PyDict;
    expect(tagged(value)).toEqual(expected);
    expect(isPyTuple(value['bools'])).toBe(true);
    expect(isPyTuple(value['ints'])).toBe(false);
    expect(Object.keys(value['od'] as PyDict)).toEqual(['b', 'a']);
  });

  test('Python 2 strings: UTF-8 when valid, latin-1 otherwise, and protocol-0 escapes', () => {
    expect(loadPickle(bytes('\x80\x02U\x05hello.'))).toBe('hello');
    expect(loadPickle(bytes('\x80\x02T\x02\x00\x00\x00\xc3\xa9.'))).toBe('é');
    expect(loadPickle(bytes('U\x03\xe9t\xe9.'))).toBe('été');
    expect(loadPickle(bytes("S'caf\\xc3\\xa9 \\'q\\' \\n'\n."))).toBe("café 'q' \n");
    expect(loadPickle(bytes('I01\n.'))).toBe(true);
    expect(loadPickle(bytes('(lp0\nI1\naI2\na.'))).toEqual([1, 2]);
  });

  test('a Python 2 numpy array (raw bytes in a py2 str) and scalar', () => {
    const raw = '\x00\x00\x00\x00\x00\x00\xf8\x3f\x00\x00\x00\x00\x00\x00\x00\xc0'; // float64 [1.5, -2]
    const dtype = 'cnumpy\ndtype\nU\x02f8\x89\x88\x87R(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb';
    const array = loadPickle(
      bytes('\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85U\x01b\x87R' + `(K\x01K\x02\x85${dtype}\x89U\x10${raw}tb.`),
    ) as NumpyArray;
    expect(array.dtype).toBe('float64');
    expect(array.shape).toEqual([2]);
    expect(Array.from(array.data as Float64Array)).toEqual([1.5, -2]);
    const scalar = loadPickle(bytes(`\x80\x02cnumpy.core.multiarray\nscalar\n${dtype}U\x08\x00\x00\x00\x00\x00\x00\xf8\x3f\x86R.`));
    expect(scalar).toBe(1.5);
  });

  test('an unknown class becomes an inert object that keeps its state', () => {
    // pickle.dumps(utils.word_utils.Dictionary() with word2idx={'a': 0}, protocol=2)
    const pickle = bytes('\x80\x02cutils.word_utils\nDictionary\nq\x00)\x81q\x01}q\x02X\x08\x00\x00\x00word2idxq\x03}q\x04X\x01\x00\x00\x00aK\x00ssb.');
    const value = loadPickle(pickle) as PyObject;
    expect(value).toBeInstanceOf(PyObject);
    expect(value.__class__).toBe('utils.word_utils.Dictionary');
    expect(value.state).toEqual({ word2idx: { a: 0 } });
  });
});

describe('newer torch tensor reductions', () => {
  // persistent id ('storage', torch.UntypedStorage, '0', 'cpu', 8) → 8 bytes holding float32 [1.5, -2]
  const storage = () => new TorchStorage('uint8', '0', 8, 'cpu', new Uint8Array(Float32Array.of(1.5, -2).buffer));
  const pid = '(X\x07\x00\x00\x00storagectorch\nUntypedStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x08tQ';
  const v2Args = `(${pid}K\x00K\x02\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rt`;

  test('_rebuild_tensor_v3 reads an untyped storage as the named dtype', () => {
    const pickle = `\x80\x02ctorch._utils\n_rebuild_tensor_v3\n(${pid}K\x00K\x02\x85K\x01\x85\x89ccollections\nOrderedDict\n)Rctorch\nfloat32\ntR.`;
    const t = unpickle(bytes(pickle), { persistentLoad: storage }).value as TorchTensor;
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.toFloat32Array())).toEqual([1.5, -2]);
  });

  test('_rebuild_from_type_v2 (tensor subclasses) yields the inner tensor', () => {
    const pickle = `\x80\x02ctorch._tensor\n_rebuild_from_type_v2\n(ctorch._utils\n_rebuild_tensor_v2\nctorch.nn.parameter\nParameter\n${v2Args}}tR.`;
    const t = unpickle(bytes(pickle), { persistentLoad: storage }).value as TorchTensor;
    expect(t.shape).toEqual([2]);
    expect(t.dtype).toBe('uint8');
  });
});

describe('loadPickle keeps shared objects shared', () => {
  test('a list and a dict referenced twice are one object each', () => {
    // a = [1]; d = {'k': a}; pickle.dumps([a, a, d, d], 2)
    const value = loadPickle(hex('80025d7100285d71014b016168017d710258010000006b71036801736802652e')) as unknown[];
    expect(value).toEqual([[1], [1], { k: [1] }, { k: [1] }]);
    expect(value[0]).toBe(value[1]);
    expect(value[2]).toBe(value[3]);
    expect((value[2] as { k: unknown }).k).toBe(value[0]);
  });

  test('self-referencing list and dict', () => {
    const list = loadPickle(hex('80025d71006800612e')) as unknown[]; // b = []; b.append(b)
    expect(list[0]).toBe(list);
    const dict = loadPickle(hex('80027d7100580400000073656c6671016800732e')) as Record<string, unknown>; // c['self'] = c
    expect(dict['self']).toBe(dict);
  });
});

describe('loadPickle refuses code execution', () => {
  const cases: [string, string][] = [
    ['os.system', "cos\nsystem\n(S'echo pwned'\ntR."],
    ['posix.system', "cposix\nsystem\n(S'echo pwned'\ntR."],
    ['subprocess.Popen', '\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\nsubprocess\x8c\x05Popen\x93.'],
    ['builtins.eval', "cbuiltins\neval\n(S'1+1'\ntR."],
    ['builtins.exec', "c__builtin__\nexec\n(S'1'\ntR."],
    ['builtins.getattr', 'cbuiltins\ngetattr\n.'],
  ];
  test.each(cases)('%s', (name, pickle) => {
    expect(() => loadPickle(bytes(pickle))).toThrow(`refused to load global '${name.replace('builtins.exec', '__builtin__.exec')}'`);
  });

  test('through loadPth, the error names the file', () => {
    expect(() => loadPth(bytes("cos\nsystem\n(S'ls'\ntR."))).toThrow(/^<bytes>: refused to load global 'os\.system'/);
  });
});

describe('corrupt and truncated input fails with one line, never hangs', () => {
  const sample = hex(PICKLES[2]);

  test('every prefix of a pickle is rejected', () => {
    for (let n = 0; n < sample.length; n++) {
      expect(() => loadPickle(sample.subarray(0, n))).toThrow(/truncated|corrupt|MARK|underflow/);
    }
  });

  test('random byte corruption ends in a value or an Error', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const copy = sample.slice();
      for (let k = 0; k < 3; k++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      try {
        loadPickle(copy);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });

  test('huge declared lengths are caught before reading', () => {
    expect(() => loadPickle(bytes('\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f.'))).toThrow(/truncated/);
    expect(() => loadPickle(bytes('\x80\x02X\xff\xff\xff\x7f.'))).toThrow(/truncated/);
  });
});

describeShared('truncated .pth files', () => {
  test('a truncated checkpoint gives a one-line error naming the file', () => {
    const whole = readFileSync(sharedPath('golden', 'clipvg-tiny', 'checkpoint.pth'));
    for (const cut of [10, 1000, whole.length >> 1, whole.length - 30]) {
      const part = whole.subarray(0, cut);
      expect(() => loadPth(part)).toThrow(/^<bytes>: (truncated|corrupt)/);
    }
  });

  test('every prefix of a legacy and a zip fixture is rejected', () => {
    for (const name of ['unc_train_pseudo_iou_result.legacy.pth', 'unc_train_pseudo_iou_result.pth']) {
      const whole = readFileSync(sharedPath('fixtures', 'torch-save', name));
      for (let n = 1; n < whole.length; n++) {
        expect(() => loadPth(whole.subarray(0, n))).toThrow(/truncated|corrupt|missing|data/);
      }
    }
  });
});
