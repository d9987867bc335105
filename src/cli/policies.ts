import { Command, Option } from 'commander';
import { InputError } from './check';
import { AdmissionAction } from '../admission/admission-action';
import { PssVersion } from '../controls/core/pss-version';
import { Profile } from '../controls/profile';
import { TOOL_VERSION } from '../guard/tool-version';
import { Platform } from '../platforms/platform';

/** The flags of `policies`, as commander parses them. */
interface PoliciesFlags {
  format: string;
  profile: string;
  action: AdmissionAction;
  pssVersion: string;
  allowedRegistry?: string[];
  requireDigests?: boolean;
  platform: string;
}

/**
 * The ValidatingAdmissionPolicies and bindings as multi-document YAML, headed by comments naming the controls left
 * to synthesis and the CLI. Plain JSON from src/admission: no cdk8s is loaded.
 */
export function policiesYaml(options: {
  profile: Profile;
  action: AdmissionAction;
  pssVersion: PssVersion;
  allowedRegistries?: string[];
  requireImageDigests?: boolean;
  platform?: Platform;
}): string {
  // Loaded here, not imported: `check` shares the program and must not pay for the policies' modules at startup.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { admissionPolicies } = require('../admission/policies') as typeof import('../admission/policies');
  const jsYaml = require('js-yaml') as typeof import('js-yaml');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const set = admissionPolicies({ ...options, where: 'policies' });
  const header = [
    `# cdk8s-hardened ${TOOL_VERSION}: ${set.enforced.length} ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, Kubernetes 1.30+)`,
    `# profile ${options.profile.name}, action ${options.action}, PSS ${options.pssVersion.label}; see docs/in-the-cluster.md`,
    ...(set.notEnforced.length > 0 ? ['# Not enforced in the cluster (synth- and CLI-only):'] : []),
    ...set.notEnforced.map(n => `#   ${n.control.id}: ${n.reason}`),
  ];
  const documents = set.manifests.map(m => jsYaml.dump(m, { noRefs: true, lineWidth: -1, sortKeys: false }));
  return `${header.join('\n')}\n---\n${documents.join('---\n')}`;
}

/** Adds `policies` to the program; `write` receives the YAML. */
export function addPoliciesCommand(program: Command, write: (text: string) => void): void {
  program.command('policies')
    .description('print the catalog as ValidatingAdmissionPolicies and bindings (multi-document YAML) for kubectl apply')
    .addOption(new Option('--format <format>', 'output format').choices(['vap']).default('vap'))
    .addOption(new Option('--profile <profile>', 'controls to enforce: hardened (every control with a CEL form), restricted or baseline')
      .choices(Profile.all().map(p => p.name)).default(Profile.HARDENED.name))
    .addOption(new Option('--action <action>', 'deny (refuse errors, warn about warnings), or a dry run: warn (warnings to the client) '
      + 'or audit (audit log)').choices(Object.values(AdmissionAction)).default(AdmissionAction.DENY))
    .option('--pss-version <version>', 'Pod Security Standards version the PSS policies mirror (v1.25 to v1.33)', 'v1.27')
    .option('--allowed-registry <registry...>', 'registries images must come from (adds the image-registry policy)')
    .addOption(new Option('--platform <platform>', 'the platform of the clusters: controls that do not apply there are left out '
      + '(openshift: high-uid-gid)').choices(Platform.all().map(p => p.name)).default(Platform.GENERIC.name))
    .option('--require-digests', 'images must be pinned by digest: the image-digest policy denies instead of warning')
    .action((opts: PoliciesFlags) => {
      let pssVersion: PssVersion;
      try {
        pssVersion = PssVersion.of(opts.pssVersion);
      } catch (e) {
        throw new InputError(`--pss-version: ${(e as Error).message}`);
      }
      try {
        write(policiesYaml({
          profile: Profile.byName(opts.profile),
          action: opts.action,
          pssVersion,
          allowedRegistries: opts.allowedRegistry,
          requireImageDigests: opts.requireDigests === true,
          platform: Platform.of(opts.platform),
        }));
      } catch (e) {
        throw new InputError((e as Error).message);
      }
    });
}
