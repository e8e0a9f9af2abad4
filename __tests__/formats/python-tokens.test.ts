import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
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

  it('tells string prefixes from names: valid prefixes start a string, anything else is a name', () => {
    const strings = (src: string) => tokenizePython(src).filter((t): t is StringToken => t.type === 'string').map((t) => `${t.prefix}|${t.value}`);
    expect(strings(`a = Rb'x' + BR"y" + f'{z}' + U'u' + t"t"\n`)).toEqual(['rb|x', 'br|y', 'f|{z}', 'u|u', 't|t']);
    // 'ub' and 'rbr' are not prefixes: a name, then a plain string.
    expect(brief(tokenizePython(`ub'x' rbr"y"\n`))).toEqual([
      'name:ub@1:1', "string:'x'@1:3", 'name:rbr@1:7', 'string:"y"@1:10', 'newline:\n@1:13',
    ]);
    expect(brief(tokenizePython('bar = r\n'))).toEqual(['name:bar@1:1', 'op:=@1:5', 'name:r@1:7', 'newline:\n@1:8']);
  });

  it('reads names that go on beyond ASCII, and numbers that start with a dot', () => {
    expect(brief(tokenizePython('load_modèle(x.y, .5, ..., 1_0.5e3j, 0x_1f)\n'))).toEqual([
      'name:load_modèle@1:1', 'op:(@1:12', 'name:x@1:13', 'op:.@1:14', 'name:y@1:15', 'op:,@1:16', 'number:.5@1:18',
      'op:,@1:20', 'op:...@1:22', 'op:,@1:25', 'number:1_0.5e3j@1:27', 'op:,@1:35', 'number:0x_1f@1:37', 'op:)@1:42',
      'newline:\n@1:43',
    ]);
  });

  it('takes the longest operator and tracks bracket depth', () => {
    const tokens = tokenizePython('a **= b // c -> d := (e[f] != {g})\n');
    expect(tokens.filter((t) => t.type === 'op').map((t) => `${t.text}/${t.depth}`)).toEqual([
      '**=/0', '///0', '->/0', ':=/0', '(/0', '[/1', ']/1', '!=/1', '{/1', '}/1', ')/0',
    ]);
  });

  it('ends a long string at its closing triple quote, not at an escaped one, and counts the lines inside', () => {
    const src = 's = \'a\\\'b\' + """x\n\\"""y\n" """ + z\n';
    const tokens = tokenizePython(src);
    expect(tokens.filter((t) => t.type === 'string').map((t) => t.text)).toEqual(["'a\\'b'", '"""x\n\\"""y\n" """']);
    expect(tokens.find((t) => t.text === 'z')).toMatchObject({ line: 3, column: 9 });
  });

  it('for any input: never throws below its limits, and every token is its slice of the source, in order', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom("'''", '"""', "rb'", 'f"', '\\\n', '\\', '#', '\n', '\r\n', '(', ')', '.5', '...', 'é', '\ud800', 'x'),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (parts) => {
      const src = parts.join('');
      const tokens = tokenizePython(src);
      let last = 0;
      for (const t of tokens) {
        expect(t.start).toBeGreaterThanOrEqual(last);
        expect(t.text).toBe(src.slice(t.start, t.end));
        expect(t.depth).toBeGreaterThanOrEqual(0);
        expect(t.column).toBeGreaterThanOrEqual(1);
        last = t.end;
      }
      if (tokens.length > 0) expect(tokens[tokens.length - 1].type).toBe('newline');
    }), { numRuns: 400 });
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
