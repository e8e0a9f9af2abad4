/**
 * What in a Keras model config runs code when the model is loaded. Keras rebuilds each object from
 * `{module, class_name, config, registered_name}` (Keras 3, keras/src/saving/serialization_lib.py) or
 * `{class_name, config}` (Keras 2 / legacy HDF5):
 *  - a `Lambda` layer carries Python bytecode (base64 marshal) or a function reference and runs it; Keras 3's
 *    `safe_mode=True` refuses it, legacy HDF5 loading has no safe mode;
 *  - a `module` outside Keras/TensorFlow is imported as given: before Keras 3.9 even in safe mode
 *    (CVE-2025-1550), and later fixes (CVE-2025-8747, CVE-2025-9906) closed references to Keras's own helpers
 *    that turn safe mode off or fetch files (`enable_unsafe_deserialization`, `get_file`, `load_model`);
 *  - `__lambda__` / `__function__` entries name Python functions to import or rebuild;
 *  - custom objects (`registered_name` outside Keras) need the user's own code to be importable.
 */
export interface KerasIssue {
  severity: 'critical' | 'high' | 'medium';
  what: string;
  /** JSON path of the object, e.g. `config.layers[2]`. */
  path: string;
}

const KERAS_MODULE = /^(keras|tf_keras|tensorflow|tensorflow\.keras|keras_nlp|keras_hub|keras_cv)(\.|$)/;
/** Keras/TensorFlow functions that disable safe mode, load other files or run code (CVE-2025-8747, CVE-2025-9906 and kin). */
const BYPASS_NAMES = new Set(['enable_unsafe_deserialization', 'get_file', 'load_model', 'load_weights', 'py_function', 'numpy_function',
  'exec', 'eval', 'system', 'popen', '__import__', 'import_module', 'run', 'call', 'getattr']);
const MAX_NODES = 1_000_000;

export function checkKerasConfig(root: unknown, opts: { legacyH5: boolean }): KerasIssue[] {
  const issues: KerasIssue[] = [];
  const seen = new Set<string>();
  const add = (severity: KerasIssue['severity'], what: string, path: string): void => {
    if (!seen.has(what) && issues.length < 100) { seen.add(what); issues.push({ severity, what, path }); }
  };
  const stack: Array<[unknown, string]> = [[root, '']];
  for (let n = 0; stack.length && n < MAX_NODES; n++) {
    const [v, path] = stack.pop() as [unknown, string];
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}[${i}]`]));
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    inspect(o, path || '(root)', opts, add);
    for (const [k, x] of Object.entries(o)) if (x && typeof x === 'object') stack.push([x, path ? `${path}.${k}` : k]);
  }
  return issues;
}

function inspect(o: Record<string, unknown>, path: string, opts: { legacyH5: boolean }, add: (s: KerasIssue['severity'], what: string, p: string) => void): void {
  const cls = typeof o.class_name === 'string' ? o.class_name : undefined;
  const mod = typeof o.module === 'string' ? o.module : undefined;
  const cfg = o.config && typeof o.config === 'object' ? (o.config as Record<string, unknown>) : undefined;
  if (cls === 'Lambda' || cls?.endsWith('>Lambda') || cls === 'keras.layers.Lambda') {
    const name = typeof cfg?.name === 'string' ? ` ${JSON.stringify(cfg.name)}` : '';
    const kind = cfg?.function_type === 'function' || (cfg?.function as Record<string, unknown>)?.class_name === '__function__' ? 'a function reference' : 'Python bytecode';
    add(opts.legacyH5 ? 'critical' : 'high', `Lambda layer${name} (${kind}${opts.legacyH5 ? ', run by legacy HDF5 loading, which has no safe_mode' : ', run when loaded with safe_mode=False'})`, path);
  }
  // A Lambda layer's own function is reported with the layer; a __lambda__ anywhere else (an activation) is its own finding.
  if (cls === '__lambda__' && !path.endsWith('.config.function')) add(opts.legacyH5 ? 'critical' : 'high', 'a serialized lambda (__lambda__ with bytecode)', path);
  if (mod !== undefined && !KERAS_MODULE.test(mod)) {
    add('critical', `a reference to module ${JSON.stringify(mod)}${cls ? ` (${cls})` : ''}, imported at load time even in safe mode before Keras 3.9 (CVE-2025-1550)`, path);
  }
  const fname = cls === '__function__' && typeof o.config === 'string' ? o.config : undefined;
  for (const n of [cls, fname]) {
    if (n && BYPASS_NAMES.has(n)) add('critical', `a reference to ${mod ? `${mod}.` : ''}${n}, a known safe_mode bypass (CVE-2025-8747, CVE-2025-9906 family)`, path);
  }
  if (cls === '__function__' && mod === undefined) add('high', `a function reference ${JSON.stringify(fname ?? '?')}`, path);
  const registered = typeof o.registered_name === 'string' ? o.registered_name : undefined;
  if (registered && registered !== cls && !/^(keras|tf_keras|tensorflow)[>.]/.test(registered)) {
    add('medium', `the custom object ${JSON.stringify(registered)}, which needs the project's own code to load`, path);
  }
}
