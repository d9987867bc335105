import { inputFiles, InputError, loadManifests } from './check';
import { imagesOf, pin, PinError } from '../supply-chain/pin';

// `cdk8s-hardened pin`: thin command over src/supply-chain/pin.ts.

export interface PinFlags {
  lock: string;
  image?: string[];
  insecureRegistry?: string[];
  timeout: string;
}

/** Runs pin over YAML paths and --image values; returns the exit code (0 written, 1 a registry failed; 2 is thrown). */
export async function runPin(paths: string[], flags: PinFlags, out: { stdout(t: string): void; stderr(t: string): void }): Promise<number> {
  const timeoutSeconds = Number(flags.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new InputError(`--timeout: '${flags.timeout}' is not a number of seconds above 0`);
  }
  for (const registry of flags.insecureRegistry ?? []) {
    if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^\[[a-fA-F0-9:]+\](:[0-9]{1,5})?$/.test(registry)) {
      throw new InputError(`--insecure-registry: '${registry}' is not host[:port] (no scheme or path), e.g. 127.0.0.1:5000`);
    }
  }
  const fromYaml = paths.length > 0 ? imagesOf(loadManifests(inputFiles(paths), process.cwd()).map(m => m.json)) : [];
  const images = [...fromYaml, ...(flags.image ?? [])];
  if (images.length === 0) {
    throw new InputError(paths.length > 0 ? `no container images in ${paths.join(', ')}` : 'no input: give YAML files or directories, or --image <image:tag>...');
  }
  try {
    const { lock, skipped } = await pin(images, {
      lockFile: flags.lock, insecureRegistries: flags.insecureRegistry, timeoutMs: timeoutSeconds * 1000,
    });
    for (const entry of lock.entries) out.stdout(`${entry.image} -> ${entry.digest}\n`);
    for (const image of skipped) out.stdout(`${image}: already pinned by digest (no tag to resolve), not in the lock\n`);
    out.stdout(`wrote ${flags.lock} (${lock.entries.length} image(s))\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof PinError)) throw e;
    out.stderr(`cdk8s-hardened pin: ${e.message}\n`);
    return 1;
  }
}
