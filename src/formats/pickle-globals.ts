/**
 * What a pickle's imports mean: a denylist of callables that run code, touch the network or files, or load
 * further pickles when a pickle is loaded, and an allowlist of the globals that PyTorch, NumPy and
 * scikit-learn checkpoints need. Facts only (module and function names) gathered from published lists;
 * each entry says where it comes from:
 *   P = picklescan `_unsafe_globals` (mmaitre314/picklescan, src/picklescan/scanner.py)
 *   F = fickling's unsafe-import analysis (trailofbits/fickling, fickling/analysis.py)
 *   M = ModelAudit's dangerous-module lists (promptfoo/modelaudit)
 *   T = PyTorch's weights_only unpickler (torch/_weights_only_unpickler.py: blocklisted modules and the
 *       small set of globals it accepts)
 *   G = ours: the call does the same as a listed one (a documented API that runs a command, evaluates text,
 *       opens a file or a socket).
 */

export type DenyCategory = 'runs commands' | 'evaluates code' | 'imports modules' | 'loads another pickle or model'
  | 'opens network connections' | 'reads or writes files' | 'controls the interpreter' | 'builds functions from code';

interface DenyEntry { names: '*' | readonly string[]; category: DenyCategory; from: string }

const d = (names: '*' | readonly string[], category: DenyCategory, from: string): DenyEntry => ({ names, category, from });
const BUILTIN_CODE = ['eval', 'exec', 'execfile', 'compile', 'apply', 'breakpoint', 'input', 'globals', 'locals', 'vars'];

/** Module → names (or every name). A listed module also covers its submodules when its names are '*'. */
const DENY: Record<string, DenyEntry[]> = {
  // builtins: picklescan lists eval, compile, getattr, apply, exec, open, breakpoint; fickling adds __import__.
  builtins: [
    d(BUILTIN_CODE, 'evaluates code', 'P F M'),
    d(['getattr', 'setattr', 'delattr'], 'evaluates code', 'P F M'),
    d(['__import__'], 'imports modules', 'F M'),
    d(['open', 'file'], 'reads or writes files', 'P M'),
    d(['exit', 'quit'], 'controls the interpreter', 'G'),
  ],
  os: [d('*', 'runs commands', 'P F M T')],
  posix: [d('*', 'runs commands', 'P M T')],
  nt: [d('*', 'runs commands', 'P M T')],
  subprocess: [d('*', 'runs commands', 'P F M')],
  _posixsubprocess: [d('*', 'runs commands', 'G')],
  commands: [d('*', 'runs commands', 'P')],
  popen2: [d('*', 'runs commands', 'G')],
  pty: [d('*', 'runs commands', 'P F M')],
  platform: [d(['popen', '_syscmd_file', '_syscmd_ver'], 'runs commands', 'M G')],
  asyncio: [d('*', 'runs commands', 'P')],
  multiprocessing: [d('*', 'runs commands', 'M')],
  pydoc: [d('*', 'runs commands', 'P')],
  _pyrepl: [d(['pager'], 'runs commands', 'P')],
  'pydoc_data': [d('*', 'runs commands', 'G')],
  uuid: [d(['_get_command_stdout', '_popen'], 'runs commands', 'P')],
  _aix_support: [d('*', 'runs commands', 'P')],
  _osx_support: [d('*', 'runs commands', 'P')],
  imaplib: [d(['IMAP4_stream'], 'runs commands', 'P')],
  'test.support': [d('*', 'runs commands', 'P')],
  'distutils.spawn': [d('*', 'runs commands', 'G')],
  webbrowser: [d('*', 'runs commands', 'P F M')],
  runpy: [d('*', 'evaluates code', 'P F M')],
  code: [d('*', 'evaluates code', 'P F M')],
  codeop: [d('*', 'evaluates code', 'F M')],
  timeit: [d('*', 'evaluates code', 'P')],
  cProfile: [d(['run', 'runctx', 'Profile.run', 'Profile.runctx'], 'evaluates code', 'P')],
  profile: [d(['run', 'runctx', 'Profile.run', 'Profile.runctx'], 'evaluates code', 'P')],
  trace: [d(['Trace.run', 'Trace.runctx', 'Trace.runfunc'], 'evaluates code', 'P')],
  bdb: [d('*', 'evaluates code', 'P')],
  pdb: [d('*', 'evaluates code', 'P M')],
  doctest: [d(['debug_script', 'debug_src', 'debug', 'run_docstring_examples', 'testsource'], 'evaluates code', 'P')],
  idlelib: [d('*', 'evaluates code', 'P')],
  lib2to3: [d(['pgen2.grammar.Grammar.loads', 'pgen2.pgen.ParserGenerator.make_label'], 'evaluates code', 'P')],
  'lib2to3.pgen2.grammar': [d(['Grammar.loads'], 'loads another pickle or model', 'P')],
  'lib2to3.pgen2.pgen': [d(['ParserGenerator.make_label'], 'evaluates code', 'P')],
  'numpy.f2py': [d('*', 'evaluates code', 'P')],
  'numpy.testing._private.utils': [d('*', 'evaluates code', 'P')],
  'numpy.testing': [d(['runstring'], 'evaluates code', 'G')],
  'torch._dynamo.guards': [d(['GuardBuilder.get'], 'evaluates code', 'P')],
  'torch._inductor.codecache': [d(['compile_file'], 'runs commands', 'P')],
  'torch.fx.experimental.symbolic_shapes': [d(['ShapeEnv.evaluate_guards_expression'], 'evaluates code', 'P')],
  'torch.jit.unsupported_tensor_ops': [d(['execWrapper'], 'evaluates code', 'P')],
  'torch.utils.bottleneck.__main__': [d(['run_cprofile', 'run_autograd_prof'], 'evaluates code', 'P')],
  'torch.utils.collect_env': [d(['run', 'run_and_read_all', 'run_and_parse_first_match'], 'runs commands', 'P')],
  'torch.serialization': [d(['load', '_load'], 'loads another pickle or model', 'P')],
  torch: [d(['load', 'hub'], 'loads another pickle or model', 'P G')],
  'torch.hub': [d('*', 'loads another pickle or model', 'G')],
  'torch.utils._config_module': [d(['ConfigModule.load_config'], 'loads another pickle or model', 'P')],
  'torch.utils.data.datapipes.utils.decoder': [d(['basichandlers'], 'loads another pickle or model', 'P')],
  'torch.storage': [d(['_load_from_bytes'], 'loads another pickle or model', 'G')],
  pickle: [d('*', 'loads another pickle or model', 'P F M')],
  _pickle: [d('*', 'loads another pickle or model', 'P M')],
  cPickle: [d('*', 'loads another pickle or model', 'M')],
  dill: [d('*', 'builds functions from code', 'M')],
  cloudpickle: [d('*', 'builds functions from code', 'M')],
  shelve: [d('*', 'loads another pickle or model', 'G')],
  marshal: [d('*', 'builds functions from code', 'F M')],
  joblib: [d(['load'], 'loads another pickle or model', 'G')],
  numpy: [d(['load', 'loads', 'fromfile'], 'loads another pickle or model', 'G')],
  pandas: [d(['read_pickle', 'eval'], 'loads another pickle or model', 'G')],
  types: [d(['CodeType', 'FunctionType', 'LambdaType', 'ModuleType', 'MethodType'], 'builds functions from code', 'F M')],
  functools: [d(['partial', 'reduce'], 'evaluates code', 'P')],
  operator: [d(['attrgetter', 'itemgetter', 'methodcaller'], 'evaluates code', 'P')],
  _operator: [d(['attrgetter', 'itemgetter', 'methodcaller'], 'evaluates code', 'P')],
  importlib: [d('*', 'imports modules', 'F M')],
  imp: [d('*', 'imports modules', 'M')],
  zipimport: [d('*', 'imports modules', 'G')],
  pkgutil: [d('*', 'imports modules', 'P M')],
  sys: [d('*', 'controls the interpreter', 'P F M T')],
  ctypes: [d('*', 'controls the interpreter', 'P M')],
  _ctypes: [d('*', 'controls the interpreter', 'G')],
  gc: [d(['get_referrers', 'get_objects'], 'controls the interpreter', 'G')],
  signal: [d('*', 'controls the interpreter', 'G')],
  site: [d('*', 'controls the interpreter', 'G')],
  venv: [d('*', 'runs commands', 'P')],
  ensurepip: [d('*', 'runs commands', 'P')],
  pip: [d('*', 'runs commands', 'P M')],
  setuptools: [d('*', 'runs commands', 'G')],
  'distutils.file_util': [d('*', 'reads or writes files', 'P')],
  shutil: [d('*', 'reads or writes files', 'P F M')],
  io: [d(['open', 'open_code', 'FileIO'], 'reads or writes files', 'M')],
  _io: [d(['open', 'open_code', 'FileIO'], 'reads or writes files', 'M')],
  tempfile: [d('*', 'reads or writes files', 'G')],
  logging: [d(['FileHandler', 'handlers', 'config'], 'reads or writes files', 'G')],
  'logging.handlers': [d('*', 'reads or writes files', 'G')],
  'logging.config': [d('*', 'evaluates code', 'G')],
  glob: [d('*', 'reads or writes files', 'G')],
  fileinput: [d('*', 'reads or writes files', 'G')],
  socket: [d('*', 'opens network connections', 'P F M')],
  _socket: [d('*', 'opens network connections', 'G')],
  ssl: [d('*', 'opens network connections', 'P')],
  requests: [d('*', 'opens network connections', 'P M')],
  urllib3: [d('*', 'opens network connections', 'M')],
  'urllib.request': [d('*', 'opens network connections', 'M')],
  httplib: [d('*', 'opens network connections', 'P')],
  'http.client': [d('*', 'opens network connections', 'M')],
  aiohttp: [d('*', 'opens network connections', 'P')],
  httpx: [d('*', 'opens network connections', 'G')],
  ftplib: [d('*', 'opens network connections', 'M')],
  smtplib: [d('*', 'opens network connections', 'M')],
  telnetlib: [d('*', 'opens network connections', 'M')],
  poplib: [d('*', 'opens network connections', 'G')],
  nntplib: [d('*', 'opens network connections', 'G')],
  xmlrpc: [d('*', 'opens network connections', 'G')],
  socketserver: [d('*', 'opens network connections', 'G')],
  'http.server': [d('*', 'opens network connections', 'G')],
};

/** Modules whose appearance as any part of a dotted path counts (`pathlib.os.system` is os.system). */
const REEXPORTED = new Set(['os', 'posix', 'nt', 'subprocess', 'sys', 'builtins', '__builtin__', 'socket', 'shutil', 'pty',
  'runpy', 'importlib', 'ctypes', 'pickle', '_pickle', 'webbrowser', 'code', 'codeop', 'marshal', 'pydoc']);

/** Python 2 module names that the unpickler maps to Python 3 ones (CPython Lib/_compat_pickle.py IMPORT_MAPPING). */
const PY2_MODULES: Record<string, string> = {
  __builtin__: 'builtins', copy_reg: 'copyreg', Queue: 'queue', SocketServer: 'socketserver', ConfigParser: 'configparser',
  repr: 'reprlib', cPickle: 'pickle', cStringIO: 'io', StringIO: 'io', _elementtree: 'xml.etree.ElementTree',
  xmlrpclib: 'xmlrpc.client', httplib: 'http.client', HTMLParser: 'html.parser', Cookie: 'http.cookies',
  cookielib: 'http.cookiejar', BaseHTTPServer: 'http.server', SimpleHTTPServer: 'http.server', CGIHTTPServer: 'http.server',
  'test.test_support': 'test.support', commands: 'subprocess', urlparse: 'urllib.parse', robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request', anydbm: 'dbm', thread: '_thread', dummy_thread: '_dummy_thread', exceptions: 'builtins',
  UserDict: 'collections', UserList: 'collections', UserString: 'collections', whichdb: 'dbm', dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb', gdbm: 'dbm.gnu', SimpleXMLRPCServer: 'xmlrpc.server', DocXMLRPCServer: 'xmlrpc.server',
};
/** Python 2 `urllib` functions moved to `urllib.request` (Lib/_compat_pickle.py NAME_MAPPING). */
const PY2_URLLIB_REQUEST = new Set(['urlopen', 'urlretrieve', 'URLopener', 'FancyURLopener', 'pathname2url', 'url2pathname', 'getproxies']);

const TORCH_STORAGES = ['Long', 'Float', 'Half', 'QUInt2x4', 'QUInt4x2', 'QInt32', 'QInt8', 'QUInt8', 'ComplexFloat',
  'ComplexDouble', 'Double', 'BFloat16', 'Bool', 'Char', 'Short', 'Int', 'Byte', 'Untyped', 'Typed'].map((s) => `${s}Storage`);
const TORCH_VALUES = ['float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16', 'int8', 'int16', 'short', 'int32',
  'int', 'int64', 'long', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'complex32', 'complex64', 'complex128', 'cfloat', 'cdouble',
  'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'qint8', 'quint8', 'qint32', 'quint4x2', 'Size', 'device',
  'strided', 'sparse_coo', 'sparse_csr', 'sparse_csc', 'sparse_bsr', 'sparse_bsc', '_mkldnn', 'contiguous_format', 'channels_last',
  'channels_last_3d', 'preserve_format', 'per_tensor_affine', 'per_channel_affine', 'per_tensor_symmetric', 'per_channel_symmetric',
  'per_channel_affine_float_qparams', 'Tensor'];

/**
 * The default allowlist: module → names, `*` for any name in that module, and a module ending in `.*` for
 * the module and its submodules. Sources: picklescan `_safe_globals` (P), the PyTorch weights_only
 * allowlist (T), and the classes a scikit-learn or joblib dump references (ours, G).
 */
export const DEFAULT_ALLOW: readonly string[] = [
  'collections.OrderedDict', 'collections.defaultdict', 'collections.Counter', 'collections.deque', // P T
  ...['_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter', '_rebuild_parameter_with_state',
    '_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_nested_tensor', '_rebuild_device_tensor_from_numpy',
    '_rebuild_device_tensor_from_cpu_tensor', '_rebuild_meta_tensor_no_storage', '_rebuild_wrapper_subclass'].map((n) => `torch._utils.${n}`), // P T
  ...TORCH_STORAGES.map((n) => `torch.${n}`), ...TORCH_VALUES.map((n) => `torch.${n}`), // P T
  'torch._tensor._rebuild_from_type_v2', 'torch.nn.parameter.Parameter', 'torch.serialization._get_layout', // T
  'torch.torch_version.TorchVersion', 'torch.nn.modules.*', // T G
  'numpy.dtype', 'numpy.ndarray', 'numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct', // P
  'numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar', 'numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer', // T
  'numpy.dtypes.*', 'numpy.random._pickle.__randomstate_ctor', 'numpy.random._pickle.__bit_generator_ctor', 'numpy.random._pickle.__generator_ctor', // G
  ...['set', 'frozenset', 'list', 'dict', 'tuple', 'slice', 'range', 'complex', 'bytearray', 'bytes', 'int', 'float', 'bool', 'str', 'object']
    .map((n) => `builtins.${n}`), // T
  'copyreg._reconstructor', '_codecs.encode', // T
  'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta', 'datetime.timezone', 'decimal.Decimal', 'uuid.UUID', // G
  'pathlib.Path', 'pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.PurePosixPath', 'pathlib.PureWindowsPath', 'argparse.Namespace', // G
  'sklearn.*', 'joblib.numpy_pickle.NumpyArrayWrapper', 'joblib.numpy_pickle.NDArrayWrapper', // G
];

export type GlobalClass =
  | { level: 'deny'; category: DenyCategory; matched: string; from: string }
  | { level: 'allow' }
  | { level: 'unknown' };

/** The Python 3 (module, name) an unpickler resolves, after the Python 2 compatibility mapping. */
export function py3Name(module: string, name: string): [string, string] {
  if (module === 'urllib' && PY2_URLLIB_REQUEST.has(name)) return ['urllib.request', name];
  const mapped = PY2_MODULES[module];
  if (mapped) return [mapped, name];
  for (const [py2, py3] of Object.entries(PY2_MODULES)) if (module.startsWith(`${py2}.`)) return [py3 + module.slice(py2.length), name];
  return [module, name];
}

function nameMatches(names: '*' | readonly string[], name: string): boolean {
  return names === '*' || names.some((n) => name === n || name.startsWith(`${n}.`));
}

function denyEntry(module: string, name: string, suffixOnly: boolean): GlobalClass | undefined {
  const parts = module.split('.');
  for (let i = parts.length; i >= 1; i--) {
    const m = parts.slice(0, i).join('.');
    if (suffixOnly && !REEXPORTED.has(m)) continue;
    // A parent module covers submodules only through '*' (a listed name of the parent is matched as a dotted name).
    const rest = [...parts.slice(i), name].join('.');
    for (const e of DENY[m] ?? []) {
      if (i === parts.length ? nameMatches(e.names, name) : e.names === '*' || nameMatches(e.names, rest)) {
        return { level: 'deny', category: e.category, matched: `${m}.${rest}`, from: e.from };
      }
    }
  }
  return undefined;
}

/** Compiles allow entries (`module.name`, `module.*`) into a matcher. */
export function allowMatcher(entries: readonly string[]): (module: string, name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const e of entries) {
    if (e.endsWith('.*')) prefixes.push(e.slice(0, -2));
    else exact.add(e);
  }
  return (module, name) => exact.has(`${module}.${name}`) ||
    prefixes.some((p) => module === p || module.startsWith(`${p}.`));
}

export interface Classifier {
  classify(module: string, name: string): GlobalClass;
}

/**
 * Deny wins over allow. Every spelling is tried: as written, after the Python 2 mapping, and with the
 * dotted name split anywhere (`STACK_GLOBAL 'pathlib' 'os.system'` resolves `pathlib.os.system`, which is
 * `os.system`). `extraDeny` takes the same `module.name` / `module.*` entries as the allowlist.
 */
export function makeClassifier(allow: readonly string[], extraDeny: readonly string[] = []): Classifier {
  const allowed = allowMatcher(allow);
  const denied = allowMatcher(extraDeny);
  return {
    classify(module, name) {
      const spellings: Array<[string, string]> = [[module, name], py3Name(module, name)];
      for (const [m, n] of spellings) {
        if (denied(m, n)) return { level: 'deny', category: 'evaluates code', matched: `${m}.${n}`, from: 'policy' };
        const direct = denyEntry(m, n, false);
        if (direct) return direct;
        // Any window of the full dotted path: `a.b.os.system`, `pathlib` + `os.system`.
        const full = `${m}.${n}`.split('.').slice(0, 32);
        for (let s = 1; s < full.length - 1; s++) {
          for (let j = s + 1; j < full.length; j++) {
            const hit = denyEntry(full.slice(s, j).join('.'), full.slice(j).join('.'), true);
            if (hit) return hit;
          }
        }
      }
      const [m3, n3] = py3Name(module, name);
      if (!name.includes('.') && (allowed(module, name) || allowed(m3, n3))) return { level: 'allow' };
      return { level: 'unknown' };
    },
  };
}
