import { cdk8s, javascript, JsonFile } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-hardened',
  description: 'Secure-by-default cdk8s constructs for Kubernetes workloads, with a synth-time guard and explicit, reasoned exemptions.',
  author: 'cdk8s-hardened contributors',
  authorAddress: 'maintainers@cdk8s-hardened.dev',
  repositoryUrl: 'https://github.com/cdk8s-hardened/cdk8s-hardened.git',
  keywords: ['cdk8s', 'kubernetes', 'security', 'pod-security-standards', 'hardening', 'networkpolicy'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // CI is .ci/run, not GitHub workflows.
  github: false,
  release: false,
  jsiiVersion: '~6.0.0',
  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  // kplus.k8s gives the Kubernetes 1.27 L1 types; no `cdk8s import` at build time.
  peerDeps: ['cdk8s-plus-27@~2.9.5'],
  devDeps: [
    // Schema validation of every synthesized object in tests (CJS line; 5.x is ESM-only).
    'kubernetes-models@~4.5.1',
    // Example synthesis and the benchmark run TypeScript directly.
    'ts-node',
    // Validates SARIF output against the official SARIF 2.1.0 schema (JSON Schema 2020-12) in tests.
    'ajv@^8',
    // Property-based tests of every public construct (bounded runs, seed printed on failure).
    'fast-check@^4',
    '@types/js-yaml@^4',
    // A real CEL engine: every exported ValidatingAdmissionPolicy must agree with its control's TypeScript check.
    '@marcbachmann/cel-js@^8',
    // An external scanner (Trivy, kubernetes-schema and other bundled rules) run over the examples in CI.
    '@monokle/validation@~0.33.0',
    // Bundles the check CLI into one file (lib/cli/bundle/main.js, the package's bin): reading 140 modules cost a
    // small check more than its work (1.7x instead of 2.3x a bare `node -e 0`). Build-time only.
    'esbuild@~0.28.2',
  ],
  // jsii libraries may only depend on jsii modules unless the dependency is bundled.
  // js-yaml: the CLI's YAML parser (about 10x faster than yaml@2 on large manifests; the check must read 10,000
  // objects per second). commander: the CLI's argument parsing (flags, help, usage errors).
  bundledDeps: ['js-yaml@^4.1.0', 'commander@^14'],
  bin: { 'cdk8s-hardened': 'lib/cli/bundle/main.js' },
  jestOptions: {
    // CI must never rewrite snapshots to make itself pass.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // Coverage doubles the suite's time (about 150 s -> 75 s for jest on 2 cores); `npx jest --coverage` on request.
      collectCoverage: false,
    },
  },
  eslintOptions: {
    // `npm test` (and so CI) checks and never rewrites sources; `npx projen eslint --fix` fixes on request.
    commandOptions: { fix: false },
    dirs: ['src'],
    devdirs: ['test', 'examples', 'bench', 'build-tools', 'projenrc', '.projenrc.ts'],
  },
  // '/node_modules' without a slash also ignores a node_modules symlink (worktrees share one install).
  gitignore: ['/examples/**/dist/', '/.bench/', '/node_modules'],
});

// Dev-only TypeScript outside src/ and test/ gets its own tsconfig, so eslint's project service type-checks it.
for (const dir of ['examples', 'bench', 'build-tools']) {
  new JsonFile(project, `${dir}/tsconfig.json`, {
    obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'] },
  });
}

// projen silences jsii's reserved-word warnings; we keep the API clean for other languages instead, and fail on any.
project.compileTask.reset('jsii --fail-on-warnings');

// jest transpiles tests without type-checking them: the test task type-checks every dev-only TypeScript tree too.
for (const dir of ['test', 'examples', 'bench', 'build-tools']) {
  project.testTask.exec(`tsc --noEmit -p ${dir}/tsconfig.json`);
}

// The example app: synthesized to YAML under dist/examples/ (the README's first command).
project.addTask('synth:examples', {
  description: 'Synthesize every example app to YAML under dist/examples/',
  exec: 'ts-node --project test/tsconfig.json examples/synth-all.ts',
});

// The control reference is generated from the catalog after every compile (CI checks it is committed).
project.postCompileTask.exec('ts-node --project test/tsconfig.json build-tools/control-docs.ts');

// The check CLI as one file, the package's bin: what the library needs of cdk8s stays out (the CLI does not load it).
project.addTask('bundle:cli', {
  description: 'Bundle the compiled check CLI into lib/cli/bundle/main.js (the bin), for its startup time',
  exec: 'esbuild lib/cli/main.js --bundle --platform=node --target=node20 --external:cdk8s --external:cdk8s-plus-27 '
    + '--external:constructs --outfile=lib/cli/bundle/main.js --log-level=warning',
});
project.postCompileTask.spawn(project.tasks.tryFind('bundle:cli')!);

project.addTask('bench', {
  description: 'Benchmark hardened constructs against plain cdk8s-plus-27 (prints ratios; no assertions)',
  exec: 'ts-node --project test/tsconfig.json bench/bench.ts',
  receiveArgs: true,
});
project.addTask('bench:cli', {
  description: 'check CLI as a pipeline runs it: startup, objects/s and peak RSS vs node -e 0 and the js-yaml parse floor (first: npx projen compile && npx projen bundle:cli)',
  env: { TS_NODE_TRANSPILE_ONLY: 'true' },
  exec: 'ts-node --project bench/tsconfig.json bench/cli.ts',
  receiveArgs: true,
});
project.addTask('bench:schema', {
  description: 'kubernetes-schema control cost as a ratio of the rest of the catalog, in the same run',
  exec: 'ts-node --project test/tsconfig.json bench/schema.ts',
  receiveArgs: true,
});

// The version is declared here, not bumped by a release workflow (release: false). 0.x: the API may still change in
// minor versions; see CHANGELOG.md.
project.package.addVersion('0.1.0');

// The tarball ships lib/, .jsii, README, CHANGELOG, LICENSE and docs/. Not the build tools, examples, benchmark or
// CI; not API.md either: registries and Construct Hub render the API from .jsii, and API.md's inherited
// cdk8s-plus links point nowhere outside this repository.
for (const path of ['/examples/', '/bench/', '/.ci/', '/build-tools/', '/API.md']) project.addPackageIgnore(path);

// Every packaging checks what it packed: no build tools or tests, lib/ and docs/ present, every relative link of
// the shipped markdown resolving inside the tarball.
project.tasks.tryFind('package:js')!.exec('ts-node --project test/tsconfig.json build-tools/check-package.ts dist/js');

// One command packs the tarball on a fresh clone: jsii-pacmak needs the .jsii that compile writes.
project.addTask('pack', {
  description: 'Compile with jsii, bundle the CLI, then pack and check dist/js/cdk8s-hardened@<version>.jsii.tgz',
  steps: [{ spawn: 'compile' }, { spawn: 'bundle:cli' }, { spawn: 'package:js' }],
});

// The kubectl oracle's corpus is compared byte for byte (CRLF and CR line ends, BOMs): git must not normalize it.
project.gitattributes.addAttributes('/test/guard/kubectl-oracle/corpus/**', '-text');

project.synth();
