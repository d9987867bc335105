import { Controls } from '../../src/controls/controls';
import { ControlContext } from '../../src/controls/core/control';
import { PssVersion } from '../../src/controls/core/pss-version';
import { controllerForms } from '../helpers/fixtures';

// Conformance of the 17 Pod Security Standards controls with the Pod Security Admission code
// (k8s.io/pod-security-admission/policy/check_*.go), per pinned version. Each case is one PSA edge case: a small
// change to a restricted-compliant pod, the PSS versions it is evaluated at, and the verdict PSA gives for the
// matching check. Every case is evaluated as a Pod and in every pod-controller form (the same pod template).
//
// Version notes (PSA check -> versioned policy functions):
//   sysctls 1.0 / 1.27 / 1.29 / 1.32; seLinuxOptions 1.0 / 1.31; allowPrivilegeEscalation, seccompProfile_restricted
//   and capabilities_restricted exempt Windows pods (spec.os.name: windows) from 1.25; appArmorProfile and
//   restrictedVolumes have a single 1.0 function that newer Kubernetes amended in place (appArmorProfile fields,
//   image volumes), so those apply at every policy version. The hostUsers: false relaxations of runAsNonRoot,
//   runAsUser (alpha-gated, default off, before 1.35) and baseline procMount apply only from policy 1.35, past v1.33.

type Verdict = 'pass' | 'fail';

interface Case {
  /** Control id under test. */
  readonly control: string;
  /** What the case shows. */
  readonly name: string;
  /** Kubernetes minor versions to evaluate at. */
  readonly at: number[];
  /** Turns the restricted-compliant base pod into the case's pod. */
  readonly pod: (pod: any) => void;
  readonly expect: Verdict;
}

const SUPPORTED = [25, 26, 27, 28, 29, 30, 31, 32, 33];
const ALL = SUPPORTED;
const from = (minor: number) => SUPPORTED.filter(m => m >= minor);
const before = (minor: number) => SUPPORTED.filter(m => m < minor);

const IMAGE = 'registry.example.com/team/app:1.2.3';
const restrictedContext = () => ({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });

/** A pod every PSA check passes at every version: PSA's minimal restricted pod, one container and one init container. */
function basePod(): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'psa-case', namespace: 'fixtures' },
    spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [{ name: 'init', image: IMAGE, securityContext: restrictedContext() }],
      containers: [{ name: 'app', image: IMAGE, securityContext: restrictedContext() }],
    },
  };
}

// Shorthands for the tweaks.
const app = (p: any) => p.spec.containers[0];
const init = (p: any) => p.spec.initContainers[0];
const podSc = (p: any) => p.spec.securityContext;
const annotate = (p: any, key: string, value: string) => {
  p.metadata.annotations = { ...p.metadata.annotations, [key]: value };
};
/** Adds an ephemeral container with a restricted security context, then applies `tweak` to it. */
const ephemeral = (p: any, tweak: (c: any) => void = () => {}) => {
  const container = { name: 'debug', image: IMAGE, securityContext: restrictedContext() };
  tweak(container);
  p.spec.ephemeralContainers = [container];
};
/** A Windows pod as PSA's restricted fixtures build it: only runAsNonRoot, no Linux-only fields. */
const windows = (p: any) => {
  p.spec.os = { name: 'windows' };
  p.spec.securityContext = { runAsNonRoot: true };
  delete app(p).securityContext;
  delete init(p).securityContext;
};
const volumes = (p: any, ...list: any[]) => {
  p.spec.volumes = list;
};
const sysctls = (p: any, ...names: string[]) => {
  podSc(p).sysctls = names.map(name => ({ name, value: '1' }));
};
const APPARMOR = 'container.apparmor.security.beta.kubernetes.io/';

const passes = (control: string, name: string, at: number[], pod: (pod: any) => void): Case => ({ control, name, at, pod, expect: 'pass' });
const fails = (control: string, name: string, at: number[], pod: (pod: any) => void): Case => ({ control, name, at, pod, expect: 'fail' });

const CASES: Case[] = [
  // --- baseline: windowsHostProcess (1.0) ---
  passes('host-process', 'no windowsOptions', ALL, () => {}),
  passes('host-process', 'hostProcess false on pod and containers', ALL, p => {
    podSc(p).windowsOptions = { hostProcess: false };
    app(p).securityContext.windowsOptions = { hostProcess: false };
  }),
  passes('host-process', 'empty windowsOptions', ALL, p => { podSc(p).windowsOptions = {}; }),
  fails('host-process', 'pod hostProcess true', ALL, p => { podSc(p).windowsOptions = { hostProcess: true }; }),
  fails('host-process', 'container hostProcess true', ALL, p => { app(p).securityContext.windowsOptions = { hostProcess: true }; }),
  fails('host-process', 'init container hostProcess true', ALL, p => { init(p).securityContext.windowsOptions = { hostProcess: true }; }),
  fails('host-process', 'ephemeral container hostProcess true', ALL, p => ephemeral(p, c => { c.securityContext.windowsOptions = { hostProcess: true }; })),
  fails('host-process', 'Windows pod is not exempt', ALL, p => {
    windows(p);
    p.spec.hostNetwork = true;
    podSc(p).windowsOptions = { hostProcess: true };
  }),

  // --- baseline: hostNamespaces (1.0) ---
  passes('host-namespaces', 'all unset', ALL, () => {}),
  passes('host-namespaces', 'all explicitly false', ALL, p => { Object.assign(p.spec, { hostNetwork: false, hostPID: false, hostIPC: false }); }),
  passes('host-namespaces', 'hostUsers false is not a host namespace', ALL, p => { p.spec.hostUsers = false; }),
  passes('host-namespaces', 'hostUsers true is not checked', ALL, p => { p.spec.hostUsers = true; }),
  fails('host-namespaces', 'hostNetwork true', ALL, p => { p.spec.hostNetwork = true; }),
  fails('host-namespaces', 'hostPID true', ALL, p => { p.spec.hostPID = true; }),
  fails('host-namespaces', 'hostIPC true', ALL, p => { p.spec.hostIPC = true; }),

  // --- baseline: privileged (1.0) ---
  passes('privileged', 'unset', ALL, () => {}),
  passes('privileged', 'explicitly false', ALL, p => { app(p).securityContext.privileged = false; }),
  fails('privileged', 'container privileged', ALL, p => { app(p).securityContext.privileged = true; }),
  fails('privileged', 'init container privileged', ALL, p => { init(p).securityContext.privileged = true; }),
  fails('privileged', 'ephemeral container privileged', ALL, p => ephemeral(p, c => { c.securityContext.privileged = true; })),

  // --- baseline: capabilities_baseline (1.0) ---
  passes('capabilities-baseline', 'adds every default capability', ALL, p => {
    app(p).securityContext.capabilities.add = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
      'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
  }),
  passes('capabilities-baseline', 'no capabilities at all', ALL, p => { delete app(p).securityContext.capabilities; }),
  passes('capabilities-baseline', 'drop is not checked', ALL, p => { app(p).securityContext.capabilities.drop = ['SYS_ADMIN']; }),
  passes('capabilities-baseline', 'empty add', ALL, p => { app(p).securityContext.capabilities.add = []; }),
  fails('capabilities-baseline', 'adds NET_RAW', ALL, p => { app(p).securityContext.capabilities.add = ['NET_RAW']; }),
  fails('capabilities-baseline', 'init container adds SYS_ADMIN', ALL, p => { init(p).securityContext.capabilities.add = ['SYS_ADMIN']; }),
  fails('capabilities-baseline', 'ephemeral container adds NET_ADMIN', ALL, p => ephemeral(p, c => { c.securityContext.capabilities.add = ['NET_ADMIN']; })),
  fails('capabilities-baseline', 'CAP_ prefix is not the same string', ALL, p => { app(p).securityContext.capabilities.add = ['CAP_CHOWN']; }),
  fails('capabilities-baseline', 'lower case is not the same string', ALL, p => { app(p).securityContext.capabilities.add = ['chown']; }),
  fails('capabilities-baseline', 'ALL is not a default capability', ALL, p => { app(p).securityContext.capabilities.add = ['ALL']; }),
  fails('capabilities-baseline', 'Windows pod is not exempt at baseline', ALL, p => {
    windows(p);
    app(p).securityContext = { capabilities: { add: ['SYS_ADMIN'] } };
  }),

  // --- baseline: hostPathVolumes (1.0) ---
  passes('host-path-volumes', 'no volumes', ALL, () => {}),
  passes('host-path-volumes', 'emptyDir', ALL, p => volumes(p, { name: 'v', emptyDir: {} })),
  passes('host-path-volumes', 'hostPath null is absent', ALL, p => volumes(p, { name: 'v', hostPath: null, emptyDir: {} })),
  fails('host-path-volumes', 'hostPath volume', ALL, p => volumes(p, { name: 'v', hostPath: { path: '/dev/null' } })),
  fails('host-path-volumes', 'empty hostPath object', ALL, p => volumes(p, { name: 'v', hostPath: {} })),

  // --- baseline: hostPorts (1.0) ---
  passes('host-ports', 'containerPort only', ALL, p => { app(p).ports = [{ containerPort: 8080 }]; }),
  passes('host-ports', 'hostPort 0', ALL, p => { app(p).ports = [{ containerPort: 8080, hostPort: 0 }]; }),
  // PSA reads hostPort as written; the API server's hostNetwork defaulting of hostPort is not modelled.
  passes('host-ports', 'hostNetwork pod with a containerPort only', ALL, p => {
    p.spec.hostNetwork = true;
    app(p).ports = [{ containerPort: 8080 }];
  }),
  fails('host-ports', 'container hostPort', ALL, p => { app(p).ports = [{ containerPort: 8080, hostPort: 8080 }]; }),
  fails('host-ports', 'init container hostPort', ALL, p => { init(p).ports = [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }]; }),
  fails('host-ports', 'high hostPort is still a host port', ALL, p => { app(p).ports = [{ containerPort: 8080, hostPort: 40000 }]; }),
  fails('host-ports', 'ephemeral container hostPort', ALL, p => ephemeral(p, c => { c.ports = [{ containerPort: 9000, hostPort: 9000 }]; })),

  // --- baseline: appArmorProfile (1.0; fields checked by the same 1.0 function) ---
  passes('apparmor', 'annotation runtime/default', ALL, p => annotate(p, APPARMOR + 'app', 'runtime/default')),
  passes('apparmor', 'annotation localhost/<profile>', ALL, p => annotate(p, APPARMOR + 'init', 'localhost/foo')),
  passes('apparmor', 'annotation with an empty value', ALL, p => annotate(p, APPARMOR + 'app', '')),
  passes('apparmor', 'annotation for a container that does not exist, allowed value', ALL, p => annotate(p, APPARMOR + 'ghost', 'runtime/default')),
  passes('apparmor', 'other annotation prefixes are not checked', ALL, p => annotate(p, 'apparmor.security.beta.kubernetes.io/app', 'unconfined')),
  fails('apparmor', 'container annotation unconfined', ALL, p => annotate(p, APPARMOR + 'app', 'unconfined')),
  fails('apparmor', 'init container annotation unconfined', ALL, p => annotate(p, APPARMOR + 'init', 'unconfined')),
  fails('apparmor', 'annotation for an absent container, unconfined', ALL, p => annotate(p, APPARMOR + 'ghost', 'unconfined')),
  fails('apparmor', 'annotation with an unknown value', ALL, p => annotate(p, APPARMOR + 'app', 'foo')),
  fails('apparmor', 'annotation values are case-sensitive', ALL, p => annotate(p, APPARMOR + 'app', 'Runtime/Default')),
  passes('apparmor', 'fields RuntimeDefault and Localhost', ALL, p => {
    podSc(p).appArmorProfile = { type: 'RuntimeDefault' };
    app(p).securityContext.appArmorProfile = { type: 'Localhost', localhostProfile: 'k8s-apparmor-example' };
  }),
  fails('apparmor', 'pod field Unconfined, at every version', ALL, p => { podSc(p).appArmorProfile = { type: 'Unconfined' }; }),
  fails('apparmor', 'container field Unconfined', ALL, p => { app(p).securityContext.appArmorProfile = { type: 'Unconfined' }; }),
  fails('apparmor', 'ephemeral container field Unconfined', ALL, p => ephemeral(p, c => { c.securityContext.appArmorProfile = { type: 'Unconfined' }; })),
  fails('apparmor', 'field without a type (empty type)', ALL, p => { podSc(p).appArmorProfile = {}; }),

  // --- baseline: seLinuxOptions (1.0, 1.31) ---
  passes('selinux', 'allowed types, empty options, any level', ALL, p => {
    podSc(p).seLinuxOptions = { type: 'container_t', level: 's0:c123,c456' };
    app(p).securityContext.seLinuxOptions = { type: 'container_init_t' };
    init(p).securityContext.seLinuxOptions = {};
    ephemeral(p, c => { c.securityContext.seLinuxOptions = { type: 'container_kvm_t' }; });
  }),
  passes('selinux', 'empty type, user and role strings', ALL, p => { podSc(p).seLinuxOptions = { type: '', user: '', role: '' }; }),
  fails('selinux', 'container_engine_t before v1.31', before(31), p => { app(p).securityContext.seLinuxOptions = { type: 'container_engine_t' }; }),
  passes('selinux', 'container_engine_t from v1.31', from(31), p => { app(p).securityContext.seLinuxOptions = { type: 'container_engine_t' }; }),
  fails('selinux', 'pod type spc_t', ALL, p => { podSc(p).seLinuxOptions = { type: 'spc_t' }; }),
  fails('selinux', 'container type unconfined_t', ALL, p => { app(p).securityContext.seLinuxOptions = { type: 'unconfined_t' }; }),
  fails('selinux', 'init container custom type', ALL, p => { init(p).securityContext.seLinuxOptions = { type: 'somevalue' }; }),
  fails('selinux', 'ephemeral container custom type', ALL, p => ephemeral(p, c => { c.securityContext.seLinuxOptions = { type: 'somevalue' }; })),
  fails('selinux', 'pod user set', ALL, p => { podSc(p).seLinuxOptions = { user: 'system_u' }; }),
  fails('selinux', 'container role set', ALL, p => { app(p).securityContext.seLinuxOptions = { type: 'container_t', role: 'system_r' }; }),

  // --- baseline: procMount (1.0) ---
  passes('proc-mount', 'unset', ALL, () => {}),
  passes('proc-mount', 'Default', ALL, p => { app(p).securityContext.procMount = 'Default'; init(p).securityContext.procMount = 'Default'; }),
  fails('proc-mount', 'container Unmasked', ALL, p => { app(p).securityContext.procMount = 'Unmasked'; }),
  fails('proc-mount', 'init container Unmasked', ALL, p => { init(p).securityContext.procMount = 'Unmasked'; }),
  fails('proc-mount', 'ephemeral container Unmasked', ALL, p => ephemeral(p, c => { c.securityContext.procMount = 'Unmasked'; })),
  fails('proc-mount', 'Unmasked in a user namespace (hostUsers: false) is not relaxed', ALL, p => {
    p.spec.hostUsers = false;
    app(p).securityContext.procMount = 'Unmasked';
  }),

  // --- baseline: seccompProfile_baseline (1.19: fields only) ---
  passes('seccomp-not-unconfined', 'unset everywhere', ALL, p => { delete podSc(p).seccompProfile; }),
  passes('seccomp-not-unconfined', 'RuntimeDefault on the pod, Localhost on a container', ALL, p => { app(p).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/audit.json' }; }),
  passes('seccomp-not-unconfined', 'alpha annotations are ignored from policy 1.19', ALL, p => {
    annotate(p, 'seccomp.security.alpha.kubernetes.io/pod', 'unconfined');
    annotate(p, 'container.seccomp.security.alpha.kubernetes.io/app', 'unconfined');
  }),
  fails('seccomp-not-unconfined', 'pod Unconfined', ALL, p => { podSc(p).seccompProfile = { type: 'Unconfined' }; }),
  fails('seccomp-not-unconfined', 'container Unconfined under a RuntimeDefault pod', ALL, p => { app(p).securityContext.seccompProfile = { type: 'Unconfined' }; }),
  fails('seccomp-not-unconfined', 'init container Unconfined', ALL, p => { init(p).securityContext.seccompProfile = { type: 'Unconfined' }; }),
  fails('seccomp-not-unconfined', 'ephemeral container Unconfined', ALL, p => ephemeral(p, c => { c.securityContext.seccompProfile = { type: 'Unconfined' }; })),
  fails('seccomp-not-unconfined', 'profile without a type (empty type)', ALL, p => { podSc(p).seccompProfile = {}; }),

  // --- baseline: sysctls (1.0, 1.27, 1.29, 1.32) ---
  passes('sysctls', 'no sysctls', ALL, p => sysctls(p)),
  passes('sysctls', 'the 1.0 safe set', ALL, p => sysctls(p, 'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies',
    'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start')),
  fails('sysctls', 'ip_local_reserved_ports before v1.27', before(27), p => sysctls(p, 'net.ipv4.ip_local_reserved_ports')),
  passes('sysctls', 'ip_local_reserved_ports from v1.27', from(27), p => sysctls(p, 'net.ipv4.ip_local_reserved_ports')),
  ...['net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'].flatMap(name => [
    fails('sysctls', `${name} before v1.29`, before(29), p => sysctls(p, name)),
    passes('sysctls', `${name} from v1.29`, from(29), p => sysctls(p, name)),
  ]),
  ...['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'].flatMap(name => [
    fails('sysctls', `${name} before v1.32`, before(32), p => sysctls(p, name)),
    passes('sysctls', `${name} from v1.32`, from(32), p => sysctls(p, name)),
  ]),
  fails('sysctls', 'a 1.37 addition is not safe yet', ALL, p => sysctls(p, 'net.ipv4.tcp_slow_start_after_idle')),
  fails('sysctls', 'unsafe sysctl', ALL, p => sysctls(p, 'kernel.msgmax')),
  fails('sysctls', 'one unsafe among safe ones', ALL, p => sysctls(p, 'kernel.shm_rmid_forced', 'net.core.somaxconn')),
  fails('sysctls', 'slash-separated spelling is not the same name', ALL, p => sysctls(p, 'net/ipv4/ip_local_port_range')),

  // --- restricted: restrictedVolumes (1.0) ---
  passes('volume-types', 'every allowed inline source', ALL, p => volumes(p,
    { name: 'a', configMap: { name: 'c' } },
    { name: 'b', csi: { driver: 'inline.storage.example.com' } },
    { name: 'c', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    { name: 'd', emptyDir: {} },
    { name: 'e', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } },
    { name: 'f', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'g', projected: { sources: [] } },
    { name: 'h', secret: { secretName: 's' } })),
  passes('volume-types', 'image volume, at every version', ALL, p => volumes(p, { name: 'v', image: { reference: 'registry.example.com/models:1' } })),
  passes('volume-types', 'no source: defaulted to emptyDir by the API server', ALL, p => volumes(p, { name: 'v' })),
  passes('volume-types', 'null source keys are absent', ALL, p => volumes(p, { name: 'v', nfs: null, emptyDir: {} })),
  ...[
    ['hostPath', { path: '/dev/null' }], ['gcePersistentDisk', { pdName: 'd' }], ['awsElasticBlockStore', { volumeID: 'vol' }],
    ['gitRepo', { repository: 'https://example.com/repo.git' }], ['nfs', { server: 'nfs.example.com', path: '/x' }],
    ['iscsi', { targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0 }],
    ['glusterfs', { endpoints: 'e', path: 'p' }], ['rbd', { monitors: ['m'], image: 'i' }], ['flexVolume', { driver: 'example/driver' }],
    ['cinder', { volumeID: 'vol' }], ['cephfs', { monitors: ['m'] }], ['flocker', { datasetName: 'd' }], ['fc', { wwids: ['w'] }],
    ['azureFile', { secretName: 's', shareName: 'share' }], ['vsphereVolume', { volumePath: '/vmfs/x' }],
    ['quobyte', { registry: 'r:7861', volume: 'v' }], ['azureDisk', { diskName: 'd', diskURI: 'https://example.com/d.vhd' }],
    ['portworxVolume', { volumeID: 'vol' }], ['photonPersistentDisk', { pdID: 'pd' }],
    ['scaleIO', { gateway: 'g', system: 's', secretRef: { name: 's' } }], ['storageos', { volumeName: 'v' }],
  ].map(([type, source]) => fails('volume-types', `${type} volume`, ALL, p => volumes(p, { name: 'v', [type as string]: source }))),

  // --- restricted: allowPrivilegeEscalation (1.8, 1.25 Windows exemption) ---
  passes('allow-privilege-escalation', 'false on every container', ALL, () => {}),
  fails('allow-privilege-escalation', 'container true', ALL, p => { app(p).securityContext.allowPrivilegeEscalation = true; }),
  fails('allow-privilege-escalation', 'init container true', ALL, p => { init(p).securityContext.allowPrivilegeEscalation = true; }),
  fails('allow-privilege-escalation', 'unset', ALL, p => { delete app(p).securityContext.allowPrivilegeEscalation; }),
  fails('allow-privilege-escalation', 'no securityContext', ALL, p => { delete app(p).securityContext; }),
  fails('allow-privilege-escalation', 'ephemeral container without it', ALL, p => ephemeral(p, c => { delete c.securityContext; })),
  passes('allow-privilege-escalation', 'Windows pod is exempt from v1.25', ALL, windows),
  passes('allow-privilege-escalation', 'Windows pod with an ephemeral container is exempt', ALL, p => { windows(p); ephemeral(p, c => { delete c.securityContext; }); }),
  fails('allow-privilege-escalation', 'os.name linux is not exempt', ALL, p => { windows(p); p.spec.os = { name: 'linux' }; }),
  fails('allow-privilege-escalation', 'os.name is compared exactly (Windows)', ALL, p => { windows(p); p.spec.os = { name: 'Windows' }; }),

  // --- restricted: runAsNonRoot (1.0) ---
  passes('run-as-non-root', 'pod true, containers unset', ALL, () => {}),
  passes('run-as-non-root', 'every container true, pod unset', ALL, p => {
    delete podSc(p).runAsNonRoot;
    app(p).securityContext.runAsNonRoot = true;
    init(p).securityContext.runAsNonRoot = true;
  }),
  fails('run-as-non-root', 'unset everywhere', ALL, p => { delete podSc(p).runAsNonRoot; }),
  fails('run-as-non-root', 'pod false', ALL, p => { podSc(p).runAsNonRoot = false; }),
  fails('run-as-non-root', 'pod false even with every container true', ALL, p => {
    podSc(p).runAsNonRoot = false;
    app(p).securityContext.runAsNonRoot = true;
    init(p).securityContext.runAsNonRoot = true;
  }),
  fails('run-as-non-root', 'container false under a true pod', ALL, p => { app(p).securityContext.runAsNonRoot = false; }),
  fails('run-as-non-root', 'init container false', ALL, p => { init(p).securityContext.runAsNonRoot = false; }),
  fails('run-as-non-root', 'pod unset, one container unset', ALL, p => {
    delete podSc(p).runAsNonRoot;
    app(p).securityContext.runAsNonRoot = true;
  }),
  fails('run-as-non-root', 'pod unset, ephemeral container unset', ALL, p => {
    delete podSc(p).runAsNonRoot;
    app(p).securityContext.runAsNonRoot = true;
    init(p).securityContext.runAsNonRoot = true;
    ephemeral(p);
  }),
  fails('run-as-non-root', 'hostUsers: false is not relaxed', ALL, p => {
    p.spec.hostUsers = false;
    delete podSc(p).runAsNonRoot;
  }),
  fails('run-as-non-root', 'Windows pod is not exempt', ALL, p => { windows(p); delete podSc(p).runAsNonRoot; }),
  passes('run-as-non-root', 'Windows pod with runAsNonRoot', ALL, windows),

  // --- restricted: runAsUser (1.23) ---
  passes('run-as-user-non-zero', 'unset', ALL, () => {}),
  passes('run-as-user-non-zero', 'non-zero on pod and containers', ALL, p => {
    podSc(p).runAsUser = 1000;
    app(p).securityContext.runAsUser = 65532;
    init(p).securityContext.runAsUser = 1000;
  }),
  passes('run-as-user-non-zero', 'runAsGroup 0 is another control', ALL, p => { podSc(p).runAsGroup = 0; }),
  fails('run-as-user-non-zero', 'pod 0', ALL, p => { podSc(p).runAsUser = 0; }),
  fails('run-as-user-non-zero', 'container 0 under a non-zero pod', ALL, p => { podSc(p).runAsUser = 1000; app(p).securityContext.runAsUser = 0; }),
  fails('run-as-user-non-zero', 'init container 0', ALL, p => { init(p).securityContext.runAsUser = 0; }),
  fails('run-as-user-non-zero', 'ephemeral container 0', ALL, p => ephemeral(p, c => { c.securityContext.runAsUser = 0; })),
  fails('run-as-user-non-zero', 'hostUsers: false is not relaxed', ALL, p => { p.spec.hostUsers = false; podSc(p).runAsUser = 0; }),

  // --- restricted: seccompProfile_restricted (1.19, 1.25 Windows exemption) ---
  passes('seccomp-required', 'pod RuntimeDefault', ALL, () => {}),
  passes('seccomp-required', 'pod Localhost', ALL, p => { podSc(p).seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/audit.json' }; }),
  passes('seccomp-required', 'every container set, pod unset', ALL, p => {
    delete podSc(p).seccompProfile;
    app(p).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    init(p).securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'profiles/audit.json' };
  }),
  fails('seccomp-required', 'unset everywhere', ALL, p => { delete podSc(p).seccompProfile; }),
  fails('seccomp-required', 'pod unset, one container unset', ALL, p => {
    delete podSc(p).seccompProfile;
    app(p).securityContext.seccompProfile = { type: 'RuntimeDefault' };
  }),
  fails('seccomp-required', 'pod unset, ephemeral container unset', ALL, p => {
    delete podSc(p).seccompProfile;
    app(p).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    init(p).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    ephemeral(p);
  }),
  fails('seccomp-required', 'pod Unconfined', ALL, p => { podSc(p).seccompProfile = { type: 'Unconfined' }; }),
  fails('seccomp-required', 'container Unconfined under a RuntimeDefault pod', ALL, p => { app(p).securityContext.seccompProfile = { type: 'Unconfined' }; }),
  fails('seccomp-required', 'pod profile without a type', ALL, p => { podSc(p).seccompProfile = {}; }),
  fails('seccomp-required', 'alpha annotation alone does not count', ALL, p => {
    delete podSc(p).seccompProfile;
    annotate(p, 'seccomp.security.alpha.kubernetes.io/pod', 'runtime/default');
  }),
  passes('seccomp-required', 'Windows pod is exempt from v1.25', ALL, windows),

  // --- restricted: capabilities_restricted (1.22, 1.25 Windows exemption) ---
  passes('capabilities-drop-all', 'drop ALL', ALL, () => {}),
  passes('capabilities-drop-all', 'drop ALL, add NET_BIND_SERVICE', ALL, p => { app(p).securityContext.capabilities.add = ['NET_BIND_SERVICE']; }),
  passes('capabilities-drop-all', 'ALL among other drops', ALL, p => { app(p).securityContext.capabilities.drop = ['NET_RAW', 'ALL']; }),
  fails('capabilities-drop-all', 'no capabilities', ALL, p => { delete app(p).securityContext.capabilities; }),
  fails('capabilities-drop-all', 'no securityContext on the init container', ALL, p => { delete init(p).securityContext; }),
  fails('capabilities-drop-all', 'empty capabilities', ALL, p => { app(p).securityContext.capabilities = {}; }),
  fails('capabilities-drop-all', 'drop lower-case all', ALL, p => { app(p).securityContext.capabilities.drop = ['all']; }),
  fails('capabilities-drop-all', 'drop CAP_ALL', ALL, p => { app(p).securityContext.capabilities.drop = ['CAP_ALL']; }),
  fails('capabilities-drop-all', 'drop every capability by name, not ALL', ALL, p => { app(p).securityContext.capabilities.drop = ['CHOWN', 'NET_RAW', 'SETUID']; }),
  fails('capabilities-drop-all', 'add a default capability', ALL, p => { app(p).securityContext.capabilities.add = ['CHOWN']; }),
  fails('capabilities-drop-all', 'add CAP_NET_BIND_SERVICE', ALL, p => { app(p).securityContext.capabilities.add = ['CAP_NET_BIND_SERVICE']; }),
  fails('capabilities-drop-all', 'add NET_BIND_SERVICE without drop ALL', ALL, p => { app(p).securityContext.capabilities = { add: ['NET_BIND_SERVICE'] }; }),
  fails('capabilities-drop-all', 'ephemeral container without drop ALL', ALL, p => ephemeral(p, c => { delete c.securityContext.capabilities; })),
  passes('capabilities-drop-all', 'Windows pod is exempt from v1.25', ALL, windows),
];

/** The PSS controls and the base pod's verdict: it passes every one at every version. */
const PSS_CONTROLS = [
  'host-process', 'host-namespaces', 'privileged', 'capabilities-baseline', 'host-path-volumes', 'host-ports', 'apparmor',
  'selinux', 'proc-mount', 'seccomp-not-unconfined', 'sysctls', 'volume-types', 'allow-privilege-escalation',
  'run-as-non-root', 'run-as-user-non-zero', 'seccomp-required', 'capabilities-drop-all',
];

function contextAt(minor: number): ControlContext {
  return { pssVersion: PssVersion.of(`v1.${minor}`) };
}

function verdict(controlId: string, manifest: any, minor: number): Verdict {
  const control = Controls.byId(controlId);
  const context = contextAt(minor);
  if (!control.appliesTo(manifest, context)) throw new Error(`${controlId} does not apply to ${manifest.kind}`);
  return control.check(manifest, context).length === 0 ? 'pass' : 'fail';
}

function podOf(tweak: (pod: any) => void): any {
  const pod = basePod();
  tweak(pod);
  return pod;
}

test('every PSS control has pass and fail conformance cases', () => {
  for (const id of PSS_CONTROLS) {
    expect({ id, pass: CASES.some(c => c.control === id && c.expect === 'pass') }).toEqual({ id, pass: true });
    expect({ id, fail: CASES.some(c => c.control === id && c.expect === 'fail') }).toEqual({ id, fail: true });
  }
});

test('the base pod and the Windows base pod pass every PSS control at every version', () => {
  for (const tweak of [() => {}, windows]) {
    const pod = podOf(tweak);
    for (const minor of SUPPORTED) {
      const failing = PSS_CONTROLS.filter(id => verdict(id, pod, minor) === 'fail');
      expect({ minor, failing }).toEqual({ minor, failing: [] });
    }
  }
});

describe.each(CASES.map(c => [`${c.control}: ${c.name} -> ${c.expect}`, c] as const))('%s', (_title, c) => {
  test('as a Pod and in every pod-controller form, at each version', () => {
    const pod = podOf(c.pod);
    const manifests = [pod, ...controllerForms(pod)];
    const mismatches: string[] = [];
    for (const minor of c.at) {
      for (const manifest of manifests) {
        const actual = verdict(c.control, manifest, minor);
        if (actual !== c.expect) mismatches.push(`v1.${minor} ${manifest.kind}: ${actual}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
