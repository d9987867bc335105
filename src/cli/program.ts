import { Command, CommanderError, Option } from 'commander';
import { check, inputFiles, InputError, loadManifests, OutputFormat } from './check';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { TOOL_VERSION } from '../guard/tool-version';

// Exit codes: 0 no error, 1 errors found, 2 unusable input or usage.

/** The flags of `check`, as commander parses them. */
interface CheckFlags {
  format: OutputFormat;
  profile: string;
  pssVersion: string;
  allowedRegistry?: string[];
  annotationExemptions: boolean;
}

/** Where the CLI writes (the process' streams, or a buffer in tests). */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the command line `argv` (as process.argv: node, script, args...) and returns its exit code. */
export function runCli(argv: string[], out: CliOutput): number {
  let exitCode = 0;
  const program = new Command()
    .name('cdk8s-hardened')
    .description('Secure-by-default Kubernetes: check manifests against the cdk8s-hardened controls catalog.')
    .version(TOOL_VERSION, '--version', 'print the version of cdk8s-hardened')
    .exitOverride()
    .configureOutput({ writeOut: text => out.stdout(text), writeErr: text => out.stderr(text) });

  program.command('check')
    .description('check Kubernetes YAML files or directories (multi-document files and List kinds included)')
    .argument('<paths...>', 'YAML/JSON files or directories to check, as one set')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'))
    .addOption(new Option('--profile <profile>', 'controls to evaluate: hardened (the whole catalog), restricted or baseline '
      + '(exactly the Pod Security Standards level, as Pod Security Admission evaluates it)').choices(Profile.all().map(p => p.name)).default(Profile.HARDENED.name))
    .option('--pss-version <version>', 'Pod Security Standards version to evaluate (v1.25 to v1.33)', 'v1.27')
    .option('--allowed-registry <registry...>', 'registries images must come from (enables image-registry)')
    .option('--no-annotation-exemptions', 'ignore exemptions.cdk8s-hardened.io/* annotations (for pipelines that keep exemptions '
      + 'elsewhere); the restricted and baseline profiles always ignore them, as Pod Security Admission does')
    .action((paths: string[], opts: CheckFlags) => {
      let pssVersion: PssVersion;
      try {
        pssVersion = PssVersion.of(opts.pssVersion);
      } catch (e) {
        throw new InputError(`--pss-version: ${(e as Error).message}`);
      }
      const cwd = process.cwd();
      const manifests = loadManifests(inputFiles(paths), cwd);
      const profile = Profile.byName(opts.profile);
      const settings = { format: opts.format, profile, pssVersion, allowedRegistries: opts.allowedRegistry, cwd };
      // The manifests are checked once: each file's source can go as soon as its findings are located.
      const result = check(manifests, { ...settings, annotationExemptions: opts.annotationExemptions, releaseSources: true });
      result.writeOutput(text => out.stdout(text));
      out.stdout('\n');
      exitCode = result.exitCode;
    });

  try {
    program.parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof InputError) {
      out.stderr(`cdk8s-hardened: ${e.message}\n`);
      return 2;
    }
    out.stderr(`cdk8s-hardened: internal error: ${(e as Error).stack}\n`);
    return 2;
  }
  return exitCode;
}
