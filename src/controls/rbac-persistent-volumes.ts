import { Severity } from './core/control';
import { RoleAccessControl } from './core/rbac-rules';

/** Roles that create PersistentVolumes are reported. */
export class RbacPersistentVolumes extends RoleAccessControl {
  constructor() {
    super({
      id: 'rbac-persistent-volumes',
      title: 'Roles do not grant create on PersistentVolumes',
      severity: Severity.WARNING,
      rationale: 'A PersistentVolume can be a hostPath or point at any storage backend, so creating one and claiming '
        + 'it mounts a node\'s filesystem or another tenant\'s data into a pod, past the Pod Security Standards.',
      remediation: 'Remove create on `persistentvolumes` (core group), including through verbs `*` or resources '
        + '`*`; request storage through PersistentVolumeClaims and StorageClasses.',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.9 (minimize access to create persistent volumes)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Authentication and authorization"',
      },
    }, [{ group: '', resource: 'persistentvolumes', verbs: ['create'] }]);
  }
}
