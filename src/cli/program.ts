import { Command, CommanderError, Option } from 'commander';
import { checkFiles, inputFiles, InputError, OutputFormat } from './check';
import { PinFlags, runPin } from './pin';
import { addPoliciesCommand } from './policies';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { TOOL_VERSION } from '../guard/tool-version';
import { Platform } from '../platforms/platform';

// Exit codes: 0 no error, 1 errors found, 2 unusable input or usage.

/** The flags of `check`, as commander parses them. */
interface CheckFlags {
  format: OutputFormat;
  profile: string;
  pssVersion: string;
  allowedRegistry?: string[];
  requireDigests?: boolean;
  annotationExemptions: boolean;
  platform: string;
}

/** Where the CLI writes (the process' streams, or a buffer in tests). */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * Runs the command line `argv` (as process.argv: node, script, args...) and returns its exit code. Synchronous: every
 * command but `pin` (which talks to registries: use `runCliAsync`).
 */
export function runCli(argv: string[], out: CliOutput): number {
  const state = { exitCode: 0, async: false };
  try {
    programOf(out, state).parse(argv);
  } catch (e) {
    return errorExitCode(e, out);
  }
  return state.exitCode;
}

/** Runs the command line `argv`, any command (what the `cdk8s-hardened` binary runs). */
export async function runCliAsync(argv: string[], out: CliOutput): Promise<number> {
  const state = { exitCode: 0, async: true };
  try {
    await programOf(out, state).parseAsync(argv);
  } catch (e) {
    return errorExitCode(e, out);
  }
  return state.exitCode;
}

function programOf(out: CliOutput, state: { exitCode: number; async: boolean }): Command {
  const program = new Command()
    .name('cdk8s-hardened')
    .description('Secure-by-default Kubernetes: check manifests against the cdk8s-hardened controls catalog; pin image tags to digests.')
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
    .addOption(new Option('--platform <platform>', 'the platform the manifests run on: openshift (uid/gid left to the SCC: high-uid-gid does not '
      + 'apply), gke-autopilot (resource requests within Autopilot\'s bounds) or generic').choices(Platform.all().map(p => p.name)).default(Platform.GENERIC.name))
    .option('--allowed-registry <registry...>', 'registries images must come from (enables image-registry)')
    .option('--require-digests', 'every image must carry a sha256 digest (image-digest is an error, not a warning)')
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
      const files = inputFiles(paths);
      const profile = Profile.byName(opts.profile);
      const settings = {
        format: opts.format,
        profile,
        pssVersion,
        allowedRegistries: opts.allowedRegistry,
        requireImageDigests: opts.requireDigests,
        cwd,
        platform: Platform.of(opts.platform),
      };
      const result = checkFiles(files, { ...settings, annotationExemptions: opts.annotationExemptions });
      result.writeOutput(text => out.stdout(text));
      out.stdout('\n');
      state.exitCode = result.exitCode;
    });

  addPoliciesCommand(program, text => out.stdout(text));

  program.command('pin')
    .description('resolve every image tag to its digest through the registries (OCI distribution API) and write the lock file '
      + 'hardened workloads render digests from (see docs/supply-chain.md)')
    .argument('[paths...]', 'synthesized YAML files or directories whose container images to pin')
    .option('--image <image...>', 'images (registry/repository:tag) to pin, besides those of the YAML')
    .option('--lock <file>', 'the lock file to write (atomically; nothing is written when any image fails)', 'images.lock.json')
    .option('--insecure-registry <host:port...>', 'registries reached over plain http (local test registries only); every other is https')
    .option('--timeout <seconds>', 'seconds each registry request may take', '30')
    .action((paths: string[], opts: PinFlags) => {
      if (!state.async) throw new InputError('pin talks to registries: run it through runCliAsync');
      return runPin(paths, opts, out).then(code => {
        state.exitCode = code;
      });
    });

  return program;
}

/** The exit code of an error thrown while parsing or running a command (usage errors are already printed). */
function errorExitCode(e: unknown, out: CliOutput): number {
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
