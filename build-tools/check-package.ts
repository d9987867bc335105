// Checks the packed tarball: what a consumer installs, not what the repository holds. Run by the package:js task:
//   ts-node --project test/tsconfig.json build-tools/check-package.ts dist/js
// Exits 1 listing every problem: a file that must not ship, a file that must, a relative markdown link (or its
// #anchor) that does not resolve inside the package.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Paths every tarball must contain (relative to the package root). */
export const REQUIRED_FILES = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts', 'lib/cli/main.js', 'lib/cli/bundle/main.js', 'docs/controls.md'];
/** Folders that must not ship: sources, tests and the tools that build, test or benchmark the library. */
export const FORBIDDEN_DIRS = ['build-tools/', 'test/', 'src/', 'examples/', 'bench/', '.ci/', 'projenrc/', 'coverage/'];

/**
 * The problems of a package, given its file list (relative paths, `/` separators) and a reader for its text files.
 * Markdown under the bundled node_modules/ is the dependencies' own business and is not checked.
 */
export function packageProblems(files: readonly string[], readText: (file: string) => string): string[] {
  const present = new Set(files);
  const problems: string[] = [];
  for (const required of REQUIRED_FILES) {
    if (!present.has(required)) problems.push(`missing: ${required}`);
  }
  for (const file of files) {
    const forbidden = FORBIDDEN_DIRS.find(dir => file.startsWith(dir));
    if (forbidden) problems.push(`must not ship: ${file} (${forbidden} is for building and testing the library)`);
  }
  const markdown = files.filter(f => f.endsWith('.md') && !f.startsWith('node_modules/'));
  const anchorsOf = new Map(markdown.map(f => [f, headingAnchors(readText(f))]));
  for (const file of markdown) {
    for (const link of relativeLinks(readText(file))) {
      const [target, anchor] = splitAnchor(link);
      const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      const asDir = resolved.replace(/\/?$/, '/');
      if (resolved.startsWith('../') || (!present.has(resolved) && !files.some(f => f.startsWith(asDir)))) {
        problems.push(`${file}: link '${link}' points outside the package (${resolved})`);
      } else if (anchor && anchorsOf.has(resolved) && !anchorsOf.get(resolved)!.has(anchor)) {
        problems.push(`${file}: link '${link}' names no heading of ${resolved}`);
      }
    }
  }
  return problems;
}

/** Targets of inline links and link definitions that are neither absolute URLs nor mail addresses. Code is skipped. */
export function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [
    ...[...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(m => m[1]),
    ...[...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map(m => m[1]),
  ];
  return targets.filter(t => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

function splitAnchor(link: string): [string, string | undefined] {
  const at = link.indexOf('#');
  return at < 0 ? [link, undefined] : [link.slice(0, at), decodeURIComponent(link.slice(at + 1))];
}

/** Anchors GitHub and npm give a file's headings: lower case, punctuation dropped, spaces as dashes, -1 for repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
  for (const [, heading] of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    let anchor = base;
    for (let i = 1; anchors.has(anchor); i++) anchor = `${base}-${i}`;
    anchors.add(anchor);
  }
  return anchors;
}

function filesBelow(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory()
    ? filesBelow(path.join(dir, entry.name), `${prefix}${entry.name}/`)
    : [`${prefix}${entry.name}`]);
}

function main(outdir: string): void {
  const tarballs = fs.readdirSync(outdir).filter(f => f.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`expected one .tgz in ${outdir}, found: ${tarballs.join(', ') || 'none'}`);
  const unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'check-package-'));
  try {
    execFileSync('tar', ['-xzf', path.join(outdir, tarballs[0]), '-C', unpacked]);
    const root = path.join(unpacked, 'package');
    const files = filesBelow(root);
    const problems = packageProblems(files, f => fs.readFileSync(path.join(root, f), 'utf-8'));
    if (problems.length > 0) {
      console.error(`${tarballs[0]}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
      process.exit(1);
    }
    const shipped = files.filter(f => !f.startsWith('node_modules/'));
    console.log(`${tarballs[0]}: ${shipped.length} files (plus bundled node_modules/), `
      + `${shipped.filter(f => f.endsWith('.md')).length} markdown files, every relative link resolves`);
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}

if (require.main === module) main(process.argv[2] ?? 'dist/js');
