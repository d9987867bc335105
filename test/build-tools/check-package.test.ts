import { FORBIDDEN_DIRS, headingAnchors, packageProblems, REQUIRED_FILES, relativeLinks } from '../../build-tools/check-package';

const README = '# cdk8s-hardened\n\nSee [the controls](docs/controls.md#host-process) and [defaults](docs/defaults.md).\n';
const CONTROLS = '# Controls\n\n## `host-process`\n\nFixtures: [x](https://github.com/o/r/tree/main/test/fixtures/host-process/)\n';

function pkg(extra: Record<string, string> = {}): Record<string, string> {
  const files: Record<string, string> = Object.fromEntries(REQUIRED_FILES.map(f => [f, '']));
  return { ...files, 'README.md': README, 'docs/controls.md': CONTROLS, 'docs/defaults.md': '# Defaults\n', ...extra };
}

function problems(files: Record<string, string>): string[] {
  return packageProblems(Object.keys(files), f => files[f]);
}

test('a package with its files, docs and resolvable links has no problems', () => {
  expect(problems(pkg())).toEqual([]);
});

test('build tools, tests and sources must not ship', () => {
  expect(problems(pkg({ 'build-tools/control-docs.ts': '', 'test/fixtures/a.yaml': '', 'src/index.ts': '' }))).toEqual([
    'must not ship: build-tools/control-docs.ts (build-tools/ is for building and testing the library)',
    'must not ship: test/fixtures/a.yaml (test/ is for building and testing the library)',
    'must not ship: src/index.ts (src/ is for building and testing the library)',
  ]);
  expect(FORBIDDEN_DIRS).toEqual(expect.arrayContaining(['build-tools/', 'test/']));
});

test('lib/ and docs/ must ship', () => {
  const files = pkg();
  delete files['lib/index.js'];
  delete files['docs/controls.md'];
  expect(problems(files)).toEqual(['missing: lib/index.js', 'missing: docs/controls.md', "README.md: link 'docs/controls.md#host-process' points outside the package (docs/controls.md)"]);
});

test('a relative link to a file that is not shipped, or to a missing heading, is a problem', () => {
  expect(problems(pkg({ 'docs/guard.md': '# Guard\n[fixtures](../test/fixtures/privileged/) [up](../../x.md) [gone](#no-such-heading) [ok](#guard)\n' }))).toEqual([
    "docs/guard.md: link '../test/fixtures/privileged/' points outside the package (test/fixtures/privileged/)",
    "docs/guard.md: link '../../x.md' points outside the package (../x.md)",
    "docs/guard.md: link '#no-such-heading' names no heading of docs/guard.md",
  ]);
});

test('links in code, absolute URLs and mail addresses are not checked; link definitions are', () => {
  const text = '```md\n[a](missing.md)\n```\n`[b](missing.md)` [c](https://x.io/y) [d](mailto:a@b.c)\n\n[e]: ./docs/e.md\n';
  expect(relativeLinks(text)).toEqual(['./docs/e.md']);
});

test('heading anchors follow GitHub: punctuation dropped, spaces as dashes, repeats numbered', () => {
  expect([...headingAnchors('## IsolatedNamespace: the namespace bundle\n## `host-process`\n## A\n## A\n')])
    .toEqual(['isolatednamespace-the-namespace-bundle', 'host-process', 'a', 'a-1']);
});
