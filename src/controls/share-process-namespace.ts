import { podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** Containers of a pod do not share one process namespace. */
export class ShareProcessNamespace extends PodControl {
  constructor() {
    super({
      id: 'share-process-namespace',
      title: 'Pods do not share a process namespace between containers',
      severity: Severity.WARNING,
      rationale: 'With a shared process namespace every container sees and can signal the others\' processes and reach '
        + 'their filesystems and environment (secrets included) through /proc/<pid>/root and /proc/<pid>/environ.',
      remediation: 'Leave shareProcessNamespace unset or set it to false; debug with an ephemeral container targeting '
        + 'one container (kubectl debug --target) instead.',
      references: {},
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([podCheck('!variables.podSpec.?shareProcessNamespace.orValue(false)', 'the pod must not set shareProcessNamespace: true')]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const value = pod.spec.shareProcessNamespace;
    if (value === undefined || value === null || value === false) {
      return [];
    }
    return [{ pointer: pointer(pod.specPointer, 'shareProcessNamespace'), message: `pod spec has shareProcessNamespace ${JSON.stringify(value)}` }];
  }
}
