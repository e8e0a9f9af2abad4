import { describe, expect, it } from '@jest/globals';
import { FormatError } from '../../src/formats/errors.js';
import { callArguments, tokenizePython, tokenText, type StringToken, type Token } from '../../src/formats/python-tokens.js';

const brief = (tokens: Token[]) => tokens.map((t) => `${t.type}:${t.text}@${t.line}:${t.column}`);

describe('tokenizePython', () => {
  it('gives names, operators, numbers and line/column of each token', () => {
    expect(brief(tokenizePython('x = torch.load(p, 1.5)\n'))).toEqual([
      'name:x@1:1', 'op:=@1:3', 'name:torch@1:5', 'op:.@1:10', 'name:load@1:11', 'op:(@1:15', 'name:p@1:16',
      'op:,@1:17', 'number:1.5@1:19', 'op:)@1:22', 'newline:\n@1:23',
    ]);
  });

  it('keeps a call inside a string, a docstring or a comment as one string or comment token', () => {
    const tokens = tokenizePython('"""\ntorch.load(x)\n"""\ns = \'pickle.load(f)\'  # eval(cfg)\n');
    expect(tokens.filter((t) => t.type === 'name').map((t) => t.text)).toEqual(['s']);
    expect(brief(tokens)).toContain('comment:# eval(cfg)@4:23');
    expect(tokens.find((t) => t.type === 'name')?.line).toBe(4);
  });

  it('reads every string prefix, including raw, bytes, f-strings and t-strings', () => {
    const src = `a = [r'\\d', b"x", Rb'y', f"{z}", fr'{w}\\n', u'v', t"q", rf"""m\n""", BR"k"]\n`;
    const strings = tokenizePython(src).filter((t): t is StringToken => t.type === 'string');
    expect(strings.map((s) => [s.prefix, s.value])).toEqual([
      ['r', '\\d'], ['b', 'x'], ['rb', 'y'], ['f', '{z}'], ['fr', '{w}\\n'], ['u', 'v'], ['t', 'q'], ['rf', 'm\n'], ['br', 'k'],
    ]);
  });

  it('resolves simple escapes and keeps escaped quotes inside the string', () => {
    const [s] = tokenizePython(`'it\\'s\\tok' + x\n`).filter((t): t is StringToken => t.type === 'string');
    expect(s.value).toBe("it's\tok");
    expect(s.end).toBe(11);
  });

  it('joins lines inside brackets and after a backslash into one logical line', () => {
    const tokens = tokenizePython('f(a,\n  b)\ny = 1 + \\\n  2\n');
    expect(tokens.filter((t) => t.type === 'newline').map((t) => t.line)).toEqual([2, 4]);
    expect(tokens.find((t) => t.text === 'b')).toMatchObject({ line: 2, column: 3, depth: 1 });
    expect(tokens.find((t) => t.text === '2')).toMatchObject({ line: 4, column: 3 });
  });

  it('ends an unterminated string at its line and an unterminated triple-quoted one at the end', () => {
    const tokens = tokenizePython("x = 'open\ny = 2\nz = '''never\nclosed\n");
    expect(tokens.filter((t) => t.type === 'name').map((t) => t.text)).toEqual(['x', 'y', 'z']);
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.text)).toEqual(["'open", "'''never\nclosed\n"]);
  });

  it('counts lines through multi-line strings so later tokens keep their real line', () => {
    const tokens = tokenizePython('doc = """a\nb\nc"""\ntorch.load(p)\n');
    expect(tokens.find((t) => t.text === 'torch')).toMatchObject({ line: 4, column: 1 });
  });

  it('handles non-ASCII names and a byte-order mark', () => {
    const tokens = tokenizePython('\ufeffmodèle = 1\n');
    expect(brief(tokens)[0]).toBe('name:modèle@1:1');
  });

  it('refuses sources over its limits with a FormatError', () => {
    expect(() => tokenizePython('x = 1\n', { maxChars: 3 })).toThrow(FormatError);
    expect(() => tokenizePython('a b c d e f\n', { maxTokens: 4 })).toThrow(FormatError);
  });

  it('survives unbalanced brackets without going negative', () => {
    const tokens = tokenizePython(')) f(x\n');
    expect(tokens.every((t) => t.depth >= 0)).toBe(true);
  });
});

describe('callArguments', () => {
  const src = "torch.load(path, map_location={'a': (1, 2)}, *rest, weights_only=True, **kw)\n";
  const tokens = tokenizePython(src);
  const open = tokens.findIndex((t) => t.text === '(');

  it('splits positional, keyword and starred arguments at top-level commas', () => {
    const call = callArguments(tokens, open);
    expect(tokens[call.close].text).toBe(')');
    expect(call.args.map((a) => [a.keyword ?? a.star ?? '', tokenText(src, tokens, a.from, a.to)])).toEqual([
      ['', 'path'], ['map_location', "{'a': (1, 2)}"], ['*', 'rest'], ['weights_only', 'True'], ['**', 'kw'],
    ]);
  });

  it('recovers arguments spread over lines with comments between them', () => {
    const s = 'f(\n  a,  # first\n  b=2,\n)\n';
    const t = tokenizePython(s);
    const call = callArguments(t, t.findIndex((x) => x.text === '('));
    expect(call.args.map((a) => tokenText(s, t, a.from, a.to))).toEqual(['a', '2']);
    expect(call.args[1].keyword).toBe('b');
  });

  it('stops at the end of the tokens when the call is never closed', () => {
    const t = tokenizePython('f(a, b');
    const call = callArguments(t, 1);
    expect(call.args.length).toBe(2);
    expect(call.close).toBe(t.length);
  });
});
