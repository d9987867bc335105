import * as kplus from 'cdk8s-plus-27';
import { Platform } from './platform';

/** Props a platform may refuse, as the pod-hardening core reads them. */
interface IdProps {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly securityContext?: kplus.PodSecurityContextProps;
}

/** Refuses ids a platform assigns itself (OpenShift), so a value given is never silently dropped. */
export function checkPlatformProps(path: string, platform: Platform, props: IdProps): void {
  if (!platform.omitsFixedIds) return;
  const given: Array<[string, unknown]> = [
    ['runAsUser (or imageUser)', props.runAsUser], ['runAsGroup (or imageUser)', props.runAsGroup], ['securityContext.user', props.securityContext?.user],
    ['securityContext.group', props.securityContext?.group], ['securityContext.fsGroup', props.securityContext?.fsGroup],
  ];
  for (const [field, value] of given) {
    if (value !== undefined) {
      throw new Error(`[${path}] ${field}: ${JSON.stringify(value)} cannot be set on ${platform.title}: its SCC assigns the pod's uid, gid and fsGroup `
        + 'from the namespace\'s range and rejects fixed ids outside it; leave it out (HardenedDefaults platform is set at this scope)');
    }
  }
}

/**
 * The rendered pod spec as the platform needs it: on OpenShift without runAsUser, runAsGroup and fsGroup at either
 * level (runAsNonRoot, seccomp, capabilities and the rest stay); on GKE Autopilot, refused when its admission would
 * reject it even though an exemption let it through the guard.
 */
export function withPlatform(path: string, platform: Platform, spec: kplus.k8s.PodSpec): kplus.k8s.PodSpec {
  const problems = platform.admissionProblems(spec);
  if (problems.length > 0) {
    throw new Error(`[${path}] ${platform.title} would reject this pod: ${problems.join('; ')}`);
  }
  if (!platform.omitsFixedIds) return spec;
  const { runAsUser: _u, runAsGroup: _g, fsGroup: _f, fsGroupChangePolicy: _p, ...podSecurity } = spec.securityContext ?? {};
  const container = (c: kplus.k8s.Container): kplus.k8s.Container => {
    const { runAsUser: _cu, runAsGroup: _cg, ...security } = c.securityContext ?? {};
    return { ...c, securityContext: security };
  };
  return {
    ...spec,
    securityContext: podSecurity,
    containers: spec.containers.map(container),
    initContainers: spec.initContainers?.map(container),
  };
}
