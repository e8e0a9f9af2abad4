import rule from '../../../src/rules/model/gguf-template.js';
import { buildGguf } from '../../helpers/model-builders.js';
import { testRule } from '../../helpers/rule-tester.js';

// The shape of a real chat template (ChatML, as in many GGUF models).
const CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] | trim + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const NS = "{% set ns = namespace(system='') %}{% for m in messages %}{% if m.role == 'system' %}{% set ns.system = m.content.strip() %}{% endif %}{% endfor %}{{ ns.system | upper }}{{ ', '.join(['a', 'b']) }}";
// The public proof of concept for CVE-2024-34359 (a subclasses walk to os.popen).
const CVE = "{% for x in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in x.__name__ %}{{x()._module.__builtins__['__import__']('os').popen(\"touch /tmp/pwned\")}}{%endif%}{% endfor %}";
const meta = (template: string, extra: Array<[string, string | number]> = []) =>
  buildGguf([['general.architecture', 'llama'], ['tokenizer.ggml.tokens', ['<s>', '</s>', 'a']], ['tokenizer.ggml.token_type', { u32Array: [1, 1, 1] }], ...extra, ['tokenizer.chat_template', template]]);

testRule(rule, {
  valid: [
    { name: 'a ChatML template', files: { 'model.gguf': meta(CHATML) } },
    { name: 'namespace(), string methods and join on literals', files: { 'model.gguf': meta(NS) } },
    { name: 'a GGUF v1 file without a template', files: { 'old.gguf': buildGguf([['general.name', 'x']], { version: 1 }) } },
    { name: 'a v2 file with a named template', files: { 'm.gguf': buildGguf([['tokenizer.chat_template.tool_use', CHATML]], { version: 2 }) } },
  ],
  invalid: [
    {
      name: 'the CVE-2024-34359 payload written so that the parser accepts it',
      files: { 'model.gguf': meta("{% for x in [].__class__.__base__.__subclasses__() %}{{ x.__init__.__globals__['sys'] }}{% endfor %}") },
      errors: [{ severity: 'critical', message: /^(?=.*attribute __subclasses__)(?=.*attribute __globals__)GGUF tokenizer\.chat_template reaches outside the Jinja sandbox \(/ }],
    },
    {
      name: 'the CVE-2024-34359 proof of concept',
      files: { 'model.gguf': meta(CVE) },
      errors: [{ severity: 'critical', message: /^GGUF tokenizer\.chat_template reaches outside the Jinja sandbox \(attribute __class__, attribute __base__, attribute __subclasses__, attribute __name__, attribute __builtins__, and \d+ more\) in a template that does not parse \(Unexpected token: CloseParen\), found as text, the CVE-2024-34359 pattern/ }],
    },
    {
      name: 'a lipsum gadget reaching __globals__',
      files: { 'model.gguf': meta("{{ lipsum.__globals__['os'].popen('id').read() }}") },
      errors: [{ severity: 'critical', message: /^(?=.*attribute __globals__)(?=.*lipsum\.__globals__)(?=.*attribute popen)GGUF tokenizer\.chat_template reaches outside/ }],
    },
    {
      name: 'the attr filter with a dunder name, in a named template',
      files: { 'model.gguf': buildGguf([['tokenizer.chat_template.rag', "{{ messages | attr('__class__') }}"]]) },
      errors: [{ severity: 'critical', message: /^GGUF tokenizer\.chat_template\.rag reaches outside the Jinja sandbox \(the attr filter with "__class__", the string "__class__", which names a dunder attribute\)/ }],
    },
    {
      name: 'a method chain off a literal is high',
      files: { 'model.gguf': meta("{{ 'abc'.encode('rot13') }}") },
      errors: [{ severity: 'high', message: /\(attribute encode of a literal\)/ }],
    },
    {
      name: 'a template that does not parse',
      files: { 'model.gguf': meta('{% for m in messages %}{{ m.content ') },
      errors: [{ severity: 'medium', message: /^GGUF tokenizer\.chat_template does not parse as a Jinja template \(/ }],
    },
    {
      name: 'a metadata count larger than the file',
      files: { 'model.gguf': buildGguf([['a', 'b']], { kvCountOverride: 5n }) },
      errors: [{ severity: 'high', message: /^Malformed GGUF header: GGUF key length at byte \d+ runs past the end of the file/ }],
    },
    {
      name: 'an absurd metadata count',
      files: { 'model.gguf': buildGguf([], { kvCountOverride: 1n << 40n }) },
      errors: [{ severity: 'high', message: /^Malformed GGUF header: GGUF declares 1099511627776 metadata entries, more than the limit of 100000/ }],
    },
    {
      name: 'a truncated template string',
      files: { 'model.gguf': meta(CHATML).subarray(0, -10) },
      errors: [{ severity: 'high', message: /^Malformed GGUF header: GGUF string value of tokenizer\.chat_template at byte \d+ runs past the end of the file/ }],
    },
  ],
});
