import { InputError, readManifests } from '../../src/guard/manifest-reader';

// One input per rule of src/guard/kubectl-reading.ts: text kubectl (apimachinery's decoder, go-yaml v2,
// sigs.k8s.io/yaml) reads otherwise than a YAML 1.2 reader is refused, or read as kubectl reads it. The agreement with
// kubectl's own decoder on a corpus is test/guard/kubectl-oracle.test.ts.

const POD = (securityContext: string, name = 'p') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: x
spec:
  containers:
    - name: c
      image: registry.example.com/app:1
      securityContext:
${securityContext}
`;
const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;

const read = (text: string) => readManifests(text, 'in.yaml', { locate: true }).map(m => m.json);
const refused = (text: string): string => {
  try {
    readManifests(text, 'in.yaml', { locate: true });
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('not refused');
};
const privileged = (json: any) => json.spec.containers[0].securityContext.privileged;

describe('merge keys (<<): first in their mapping, once', () => {
  test('after an explicit key, kubectl lets the merge replace it (privileged: false, then <<: {privileged: true}): refused', () => {
    for (const merge of ['<<: {privileged: true}', '<<: [{privileged: true}]', '<<: *up']) {
      const text = `x-up: &up {privileged: true}\n${POD(`        privileged: false\n        ${merge}`)}`;
      expect(refused(text)).toMatch(/^in\.yaml:13:9: a merge key \(<<\) after other keys in one mapping: kubectl \(go-yaml\) lets merged values replace/);
    }
    expect(refused(POD('        privileged: false\n        runAsNonRoot: true\n        <<: {runAsNonRoot: false}'))).toMatch(/^in\.yaml:13:9: a merge key/);
    // In a flow mapping too.
    expect(refused(POD('        {privileged: false, <<: {privileged: true}}'))).toMatch(/^in\.yaml:11:29: a merge key/);
  });

  test('two merge keys in one mapping (go-yaml: the later wins; js-yaml: the earlier): refused', () => {
    expect(refused(POD('        <<: {privileged: false}\n        <<: {privileged: true}'))).toMatch(/^in\.yaml:12:9: a merge key \(<<\) after other keys/);
  });

  test('first in its mapping, both readers agree: read, later keys win, and the merged field is checked', () => {
    expect(privileged(read(POD('        <<: {privileged: true}\n        runAsNonRoot: true'))[0])).toBe(true);
    expect(privileged(read(POD('        <<: {privileged: true}\n        privileged: false'))[0])).toBe(false);
    expect(privileged(read(POD('        <<: [{privileged: true}, {privileged: false}]'))[0])).toBe(true);
    // A quoted "<<" is a plain key to both readers, wherever it is.
    expect(read(POD('        privileged: false\n        "<<": {privileged: true}'))[0].spec.containers[0].securityContext['<<']).toEqual({ privileged: true });
  });
});

describe('documents are split where kubectl splits them', () => {
  test('a line starting with --- then a comment (even with no space: ---#) separates documents, as in kubectl 1.22+', () => {
    // A YAML 1.2 reader sees a ConfigMap with the key `---#x`; kubectl applies the privileged Pod.
    const pod = POD('        privileged: true', 'hidden').replace(/\n/g, '\n  ');
    for (const separator of ['---#x: |', '---\u00a0#x: |', '--- # note', '---\t']) {
      const objects = read(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\ndata: {k: v}\n${separator}\n  ${pod}`);
      expect(objects.map(o => o.kind)).toEqual(['ConfigMap', 'Pod']);
      expect(privileged(objects[1])).toBe(true);
    }
  });

  test('a separator line that starts a document stays in it (kubectl): with no space after ---, go-yaml reads text and js-yaml a separator: refused', () => {
    for (const text of [`---#x: y\n${POLICY}`, `${POLICY}---\n---#x: y\n${POLICY}`, `---\u00a0#x: y\n${POLICY}`]) {
      expect(refused(text)).toMatch(/^in\.yaml:\d: a line starting with '---' and no space, at the start of a document: kubectl reads it as text/);
    }
    expect(read(`--- # first\n${POLICY}---\n---\n${POLICY}`)).toHaveLength(2);
  });

  test('a line starting with --- and anything but spaces and a comment fails kubectl ("invalid Yaml document separator"): refused', () => {
    for (const line of ['--- {apiVersion: v1, kind: Namespace, metadata: {name: n}}', '---x', '----', '--- !!map', '--- |']) {
      expect(refused(`${POLICY}${line}\n${POLICY}`)).toMatch(/^in\.yaml:5: a line starting with '---' must be a document separator, followed only by spaces or a comment: kubectl refuses/);
    }
    // Also inside a quoted scalar, where YAML 1.2 readers would take it as text.
    expect(refused(`${POLICY}x: "a\n---x\n"\n`)).toMatch(/^in\.yaml:6: a line starting with '---'/);
  });

  test('a document after `...` with no --- line between them is one kubectl never applies: refused', () => {
    const pod = POD('        privileged: false');
    expect(refused(`${pod}...\n${POLICY}`)).toMatch(/^in\.yaml:1: a document follows a document end marker \(\.\.\.\) with no '---' line between them/);
    expect(refused(`# nothing\n...\n${POLICY}`)).toMatch(/document end marker/);
    expect(read(`${pod}...\n---\n${POLICY}`).map(o => o.kind)).toEqual(['Pod', 'NetworkPolicy']);
    expect(read(`${pod}...\n# only a comment after it\n`).map(o => o.kind)).toEqual(['Pod']);
  });
});

describe('keys sigs.k8s.io/yaml writes otherwise, or refuses', () => {
  test('a number key that is a float or beyond 2^53 (a label kubectl keeps as 9007199254740993): refused', () => {
    for (const key of ['9007199254740993', '1.23456789', '1e7', '1.0', '-0', '-0.0', '0.1', '12345678901234567890']) {
      expect(refused(`${POLICY}metadata2:\n  labels: {${key}: web}\n`))
        .toMatch(new RegExp(`^in\\.yaml:6:\\d+: a number key that is not an integer below 2\\^53 \\(${key.replace(/\./g, '\\.')}\\)`));
    }
  });

  test('integer and boolean keys are the same string to both readers: read', () => {
    expect(read(`${POLICY}m: {80: a, 0x10: b, 0o17: c, 1_000: d, yes: e, -5: f}\n`)[0].m).toEqual({ '80': 'a', '16': 'b', '15': 'c', '1000': 'd', 'true': 'e', '-5': 'f' });
  });

  test('null and complex keys make kubectl refuse the document (so it is never applied): refused', () => {
    expect(refused(`${POLICY}m: {~: a}\n`)).toMatch(/^in\.yaml:5:5: a null mapping key: kubectl refuses the document/);
    // Explicit keys (?), which js-yaml may compose as no node at all: refused outright.
    expect(refused(`${POLICY}m:\n  ? \n  : a\n`)).toMatch(/^in\.yaml:6:3: an explicit mapping key \(\?\)/);
    expect(refused(`${POLICY}m:\n  ? [a, b]\n  : c\n`)).toMatch(/an explicit mapping key/);
    // In flow collections too (js-yaml builds `[? 1.5]` into a mapping it does not log, out of every key rule's sight).
    expect(refused(`${POLICY}m: {? a: b}\n`)).toMatch(/^in\.yaml:5:7: an explicit key \(\?\) in a flow collection/);
    expect(refused(`${POLICY}m: [? 1.23456789]\n`)).toMatch(/an explicit key \(\?\) in a flow collection/);
    expect(refused(`${POLICY}m: {{a: 1}: c}\n`)).toMatch(/a complex mapping key/);
  });
});

describe('scalars go-yaml reads otherwise', () => {
  test('.inf and .nan cannot be JSON: kubectl refuses the document, and so does the check', () => {
    for (const value of ['.inf', '-.Inf', '+.INF', '.nan', '.NaN']) {
      expect(refused(`${POLICY}x: ${value}\n`)).toMatch(new RegExp(`^in\\.yaml:5:4: ${value.replace(/\./g, '\\.').replace('+', '\\+')} is not a number JSON can hold`));
    }
  });

  test('text go-yaml leaves a string is a string: ._5, an overflowing 1e309, an integer beyond 64 bits in hex', () => {
    const { x } = read(`${POLICY}x: [._5, 1e309, -1e309, 0x1_0000_0000_0000_0000, .5, 1_0.5, 1e20]\n`)[0];
    expect(x).toEqual(['._5', '1e309', '-1e309', '0x1_0000_0000_0000_0000', 0.5, 10.5, 1e20]);
    // An integer beyond 2^53 that go-yaml reads as one: kubectl keeps its 64 bits, JavaScript would round it.
    for (const big of ['9007199254740993', '0x7fff_ffff_ffff_ffff', '18446744073709551615']) {
      expect(refused(`${POLICY}runAsUser: ${big}\n`)).toMatch(new RegExp(`^in\\.yaml:5:12: an integer beyond 2\\^53 \\(${big}\\)`));
    }
  });

  test('\\/ in a double-quoted string (YAML 1.2 only; go-yaml refuses the document): refused, but not in single quotes, block scalars or JSON', () => {
    expect(refused(`${POLICY}x: "a\\/b"\n`)).toMatch(/^in\.yaml:5:4: the escape \\\/ in a double-quoted string is YAML 1\.2 only/);
    expect(refused(`${POLICY}x: !!str &a "a\\/b"\n`)).toMatch(/the escape \\\//);
    expect(read(`${POLICY}single: 'a\\/b'\nblock: |\n  a\\/b\nescaped: "a\\\\/b"\n`)[0]).toMatchObject({ single: 'a\\/b', block: 'a\\/b\n', escaped: 'a\\/b' });
    expect(read('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "x"}, "data": {"k": "a\\/b"}}')[0].data.k).toBe('a/b');
  });

  test('an escaped UTF-16 surrogate (go-yaml writes U+FFFD for each half): refused', () => {
    expect(refused(`${POLICY}x: "\\ud83d\\ude00"\n`)).toMatch(/^in\.yaml:5:4: the escape \\ud83d in a double-quoted string is half of a UTF-16 pair/);
    expect(refused(`${POLICY}x: "\\U0000DC00"\n`)).toMatch(/the escape \\U0000DC00/);
    expect(read(`${POLICY}x: "\\u00e9"\n`)[0].x).toBe('é');
  });
});

describe('what a second review found (each read otherwise by kubectl, or refused by it)', () => {
  test('a byte order mark at the start no longer shifts the checks that read the text (a merge after a key, \\/)', () => {
    expect(refused(`\ufeff${POD('        privileged: false\n        <<: {privileged: true}')}`)).toMatch(/^in\.yaml:12:9: a merge key/);
    expect(refused(`\ufeff${POLICY}x: "a\\/b"\n`)).toMatch(/^in\.yaml:5:4: the escape \\\//);
    expect(read(`\ufeff${POLICY}`)).toHaveLength(1);
  });

  test('a carriage return not before a line feed (kubectl reads \\r\\r\\n as one line break): refused; CRLF read', () => {
    expect(refused(`${POLICY}x: "b\r\r\n    c"\n`)).toMatch(/^in\.yaml:5:6: character U\+000D is a carriage return without a line feed/);
    expect(read(`${POLICY}x: "b\n    c"\n`.replace(/\n/g, '\r\n'))[0].x).toBe('b c');
  });

  test('a number or boolean key in a document with a merge key (kubectl keeps 0x10 and "16" apart, then picks one at random): refused', () => {
    expect(refused(`${POLICY}data:\n  <<: {0x10: a}\n  "16": b\n`)).toMatch(/^in\.yaml:6:8: a number or boolean key \(0x10\) in a document with a merge key/);
    expect(refused(`${POLICY}data:\n  <<: {a: b}\nlabels: {true: x}\n`)).toMatch(/a number or boolean key \(true\)/);
    expect(read(`${POLICY}data:\n  <<: {a: b}\nlabels: {"16": x}\n`)[0].labels).toEqual({ 16: 'x' });
  });

  test('a merge of an alias of a list (go-yaml refuses it); a list of aliases of mappings is read', () => {
    expect(refused(`${POLICY}x: &l [{a: 1}]\nmerged:\n  <<: *l\n`)).toMatch(/^in\.yaml:7:7: a merge \(<<\) of an alias of a list/);
    expect(read(`${POLICY}x: &m {a: 1}\nmerged:\n  <<: [*m]\n`)[0].merged).toEqual({ a: 1 });
  });

  test('what go-yaml refuses and js-yaml reads: tab indentation, a ":" or "? " item in a flow collection, a flow pair, long keys, \\U beyond U+10FFFF', () => {
    expect(refused(`${POLICY}\t# a comment\n`)).toMatch(/^in\.yaml:5:1: a tab where kubectl's YAML parser expects indentation/);
    expect(refused(`${POLICY}x: a\n \t\nother: b\n`)).toMatch(/^in\.yaml:6:2: a tab where/);
    expect(refused(`${POLICY}labels:\n  a: b\n  \t# c\n`)).toMatch(/^in\.yaml:7:3: a tab where/);
    // In a block scalar a tab after the indentation is text to both readers (a Makefile, Go code).
    expect(read(`${POLICY}data:\n  Makefile: |\n    all:\n    \tgo build\n    \t\n`)[0].data.Makefile).toBe('all:\n\tgo build\n\t\n');
    expect(refused(`${POLICY}x: [--addr, :8080]\n`)).toMatch(/^in\.yaml:5:13: a plain value starting with ':' or holding '\?'/);
    expect(refused(`${POLICY}x: {memory: 12? 8Mi}\n`)).toMatch(/holding '\?'/);
    expect(refused(`${POLICY}x: [: a]\n`)).toMatch(/a key: value pair in a flow list/);
    expect(refused(`${POLICY}${'k'.repeat(1025)}: v\n`)).toMatch(/a key longer than 1024 characters/);
    expect(refused(`${POLICY}x: "\\U00110000"\n`)).toMatch(/the escape \\U00110000 in a double-quoted string is beyond U\+10FFFF/);
    // In block context, and quoted, both readers agree.
    expect(read(`${POLICY}x: :8080\nquoted: [":8080", "12? 8Mi"]\n`)[0]).toMatchObject({ x: ':8080', quoted: [':8080', '12? 8Mi'] });
  });

  test('aliases making nearly every node (go-yaml: excessive aliasing): refused, at the depth where go-yaml refuses', () => {
    const levels = (n: number) => Array.from({ length: n }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(8).fill(`*l${i}`).join(', ')}]`).join('\n');
    // Three levels of 8 aliases: go-yaml reads it; four: "document contains excessive aliasing" (checked in the oracle).
    expect(read(`${POLICY}l0: &l0 [x, x, x, x, x, x, x, x]\n${levels(2)}\n`)[0].l2).toHaveLength(8);
    expect(refused(`${POLICY}l0: &l0 [x, x, x, x, x, x, x, x]\n${levels(3)}\n`)).toMatch(/^in\.yaml:1: 9\d% of this document's first \d+ nodes come from YAML aliases/);
  });

  test('a third review: ? in flow collections, tags and anchors on keys, flow keys with no value, a running alias ratio', () => {
    expect(refused(`${POLICY}spec2: {?hostPID: true}\n`)).toMatch(/^in\.yaml:5:9: a plain value starting with ':' or holding '\?' in a flow collection/);
    expect(refused(`${POLICY}x: [?app]\n`)).toMatch(/holding '\?'/);
    // A CEL expression (a plain scalar) holding `[?` or a line starting with `? ` is text, not a key.
    expect(read(`${POLICY}expression: c.?resources.?requests[?'cpu'].hasValue()\n  ? a\n`)[0].expression).toBe("c.?resources.?requests[?'cpu'].hasValue() ? a");
    expect(refused(`${POLICY}x: {a: b?c}\n`)).toMatch(/holding '\?' in a flow collection/);
    for (const key of ['&k <<', '!!merge <<', '! <<', '!<tag:yaml.org,2002:merge> <<']) {
      expect(refused(`${POLICY}m: &m {privileged: true}\nsc:\n  privileged: false\n  ${key}: *m\n`)).toMatch(/^in\.yaml:8:3: a tag, anchor or alias on a mapping key/);
    }
    expect(refused(`${POLICY}sc: {x, privileged: false, <<: {privileged: true}}\n`)).toMatch(/^in\.yaml:5:6: a key with no ':' and value in a flow mapping/);
    expect(refused(`${POLICY}labels: {a: b,\n:c: d}\n`)).toMatch(/a plain value starting with ':'/);
    // Aliases first, then plain nodes: go-yaml refuses at the point where nearly all it has decoded came from aliases.
    const late = `${POLICY}a: &a [${Array(300).fill('1').join(',')}]\nb:\n${'- *a\n'.repeat(400)}c: [${Array(130000).fill('2').join(',')}]\n`;
    expect(refused(late)).toMatch(/of this document's first \d+ nodes come from YAML aliases/);
  });

  test('a fourth review: properties before a flow collection, the tag !, a lone ..., merges of lists of lists', () => {
    // `&s {?privileged: true}` is privileged to kubectl: the flow rules apply after a tag or anchor too.
    for (const props of ['&s ', '! ', '!!map ', '&a !!map ']) {
      expect(refused(`${POLICY}sc: ${props}{?privileged: true}\n`)).toMatch(/holding '\?' in a flow collection|the non-specific tag/);
    }
    expect(refused(`${POLICY}b: !\n`)).toMatch(/^in\.yaml:5:4: the non-specific tag '!'/);
    expect(refused(`${POLICY}---\n...\n`)).toMatch(/^in\.yaml:6: a document end marker \(\.\.\.\) with no document before it/);
    expect(refused(`${POLICY}m: &m {a: 1}\nq:\n  <<: [[*m]]\n`)).toMatch(/^in\.yaml:7:7: a merge \(<<\) of something other than a mapping or a list of mappings/);
    expect(refused(`${POLICY}q:\n  <<: 1\n`)).toMatch(/cannot merge mappings/); // js-yaml refuses it itself
    expect(refused(`${POLICY}x: !<tag:yaml.org,2002:str> "\\/"\n`)).toMatch(/the escape \\\//);
  });

  test('a fifth review: empty nested list items, a colon glued to a flow key, anchor names go-yaml does not read', () => {
    // js-yaml reads `x:\n- -\n- b` as [[null, b]], kubectl as [[null], b]: a List's next object could vanish.
    expect(refused(`${POLICY}x:\n- -\n- b\n`)).toMatch(/^in\.yaml:6:3: an empty list item \(a '-' with no value\)/);
    expect(refused(`${POLICY}x:\n-\n  -\n- b\n`)).toMatch(/an empty list item/);
    // A `-` whose item is on the lines below, more indented, is not empty; a dash inside a scalar is text.
    expect(read(`${POLICY}x:\n-\n  name: a\ntitle: a -\n`)[0]).toMatchObject({ x: [{ name: 'a' }], title: 'a -' });
    expect(refused(`${POLICY}x: {a:,b: 1}\n`)).toMatch(/^in\.yaml:5:5: a ':' not followed by a blank after a plain key in a flow mapping/);
    expect(read('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"x"}}')[0].kind).toBe('ConfigMap');
    expect(refused(`${POLICY}x: &a: b\ny: *a:\n`)).toMatch(/^in\.yaml:5:4: the anchor name 'a:'/);
    expect(refused(`${POLICY}x: &\u00e9 c\ny: *\u00e9\n`)).toMatch(/the anchor name 'é'/);
    expect(read(`${POLICY}first: &a-1_B c\nsecond: *a-1_B\n`)[0].second).toBe('c');
  });

  test('a sixth review: an escaped line break before an empty line in a double-quoted string (js-yaml drops the line)', () => {
    expect(refused(`${POLICY}run: "echo ok\\\n\n  ; rm -rf /data"\n`)).toMatch(/^in\.yaml:5:6: an escaped line break followed by an empty line/);
    expect(refused(`${POLICY}run: "a\\\r\n  \r\n  b"\n`.replace(/\n/g, '\r\n').replace(/\r\r/g, '\r'))).toMatch(/an escaped line break/);
    // An escaped backslash then a real line break, and an escaped line break before text: both readers agree.
    expect(read(`${POLICY}a: "x\\\\\n\n  y"\nb: "x\\\n  y"\n`)[0]).toMatchObject({ a: 'x\\\ny', b: 'xy' });
  });

  test('JSON as Go reads it: tab indentation and escaped surrogate pairs are fine, a lone half is not', () => {
    const json = '{\n\t"apiVersion": "v1",\n\t"kind": "ConfigMap",\n\t"metadata": {"name": "a", "namespace": "x", "annotations": {"note": "ok \\ud83d\\ude00"}}\n}\n';
    expect(read(json)[0].metadata.annotations.note).toBe('ok \u{1F600}');
    expect(refused(json.replace('\\ude00', ''))).toMatch(/the escape \\ud83d/);
  });

  test('more than 4096 bytes of blanks before "{": YAML to kubectl, as here', () => {
    expect(read(`${' '.repeat(4096)}{apiVersion: v1, kind: Namespace, metadata: {name: n}}\n`)[0].kind).toBe('Namespace');
  });
});

describe('characters and JSON', () => {
  test('a byte order mark after the start of the file (go-yaml drops characters around one): refused; at the start: read', () => {
    expect(refused(`${POLICY}# note\ufeff\n`)).toMatch(/^in\.yaml:5:7: character U\+FEFF is a byte order mark after the start of the file/);
    expect(read(`\ufeff${POLICY}`)).toHaveLength(1);
  });

  test('a file starting with { is JSON to kubectl: exactly one JSON value is read, anything else refused', () => {
    const pod = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] } });
    expect(privileged(read(` \n${pod}\n`)[0])).toBe(true);
    // kubectl applies the privileged Pod before it fails on the rest; a YAML reader sees a ConfigMap with a strange key.
    expect(refused(`${pod}: x\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n`))
      .toMatch(/^in\.yaml:1: kubectl reads a file that starts with '\{' as JSON, and this is not one JSON value/);
    // A stream of JSON objects, a YAML flow mapping, a JSON document then YAML: refused (kubectl versions read them differently).
    for (const text of [`${pod}\n${pod}\n`, '{apiVersion: v1, kind: Namespace, metadata: {name: n}}\n', `${pod}\n---\n${POLICY}`]) {
      expect(refused(text)).toMatch(/as JSON/);
    }
  });
});
