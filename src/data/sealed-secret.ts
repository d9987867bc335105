import { ApiObject, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { ReferencedSecret } from './referenced-secret';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { isDnsSubdomain } from '../defaults/kubernetes-validation';

/** Where a SealedSecret's ciphertext may be unsealed: the scope it was sealed for (`kubeseal --scope`). */
export class SealedSecretScope {
  /** Only as this name in this namespace (kubeseal's default): moving or renaming the object cannot reveal it. */
  public static readonly STRICT = new SealedSecretScope('strict', undefined);
  /** Under any name in this namespace (annotation `sealedsecrets.bitnami.com/namespace-wide`). */
  public static readonly NAMESPACE_WIDE = new SealedSecretScope('namespace-wide', 'sealedsecrets.bitnami.com/namespace-wide');
  /** Under any name in any namespace (annotation `sealedsecrets.bitnami.com/cluster-wide`): anyone who can create a SealedSecret anywhere can unseal it. */
  public static readonly CLUSTER_WIDE = new SealedSecretScope('cluster-wide', 'sealedsecrets.bitnami.com/cluster-wide');

  private constructor(
    /** kubeseal's name for the scope. */
    public readonly value: string,
    /** The annotation that tells the controller, none for strict. */
    public readonly annotation?: string) {}
}

/** Props of a SealedSecret. */
export interface SealedSecretProps {
  /**
   * The sealed values by key, exactly as `kubeseal` wrote them (`spec.encryptedData`): base64 of the controller's
   * hybrid ciphertext (an RSA-OAEP-wrapped session key, then AES-GCM). Plain values are refused.
   */
  readonly encryptedData: { [key: string]: string };
  /**
   * The name of the SealedSecret, and of the Secret the controller creates. With the strict scope it must be the
   * name the values were sealed for.
   * @default - a name generated from the construct path
   */
  readonly name?: string;
  /**
   * The scope the values were sealed for.
   * @default SealedSecretScope.STRICT
   */
  readonly sealingScope?: SealedSecretScope;
  /**
   * The `type` of the Secret the controller creates, e.g. `kubernetes.io/tls`.
   * @default 'Opaque'
   */
  readonly secretType?: string;
  /**
   * Labels of the Secret the controller creates (`spec.template.metadata.labels`).
   * @default - the managed-by label only
   */
  readonly secretLabels?: { [key: string]: string };
  /**
   * Annotations of the Secret the controller creates (`spec.template.metadata.annotations`).
   * @default - the scope's annotation only
   */
  readonly secretAnnotations?: { [key: string]: string };
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** The prefix of the controller's annotations (scope, managed, patch). */
const CONTROLLER_PREFIX = 'sealedsecrets.bitnami.com/';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RSA-OAEP ciphertext lengths of 2048-, 3072- and 4096-bit keys (the controller's default key is 4096-bit). */
const RSA_LENGTHS = [256, 384, 512];
/** The AES-GCM authentication tag that follows the (possibly empty) encrypted value. */
const GCM_TAG = 16;

/**
 * A Secret by reference, through the Sealed Secrets controller (`bitnami.com/v1alpha1` SealedSecret): the YAML
 * carries only values sealed with the controller's public key, which only the controller can unseal, and the
 * controller writes the Secret in the cluster. Values that are not sealed ciphertext are refused.
 *
 * Workloads consume the Secret as read-only files (`volumeMount`), or, as an explicit opt-in that the `secret-env`
 * control reports, as an environment variable (`envValue`).
 */
export class SealedSecret extends ReferencedSecret {
  /** The SealedSecret object. */
  public readonly resource: ApiObject;
  /** The scope the values were sealed for. */
  public readonly sealingScope: SealedSecretScope;

  constructor(scope: Construct, id: string, props: SealedSecretProps) {
    const path = scope.node.path ? `${scope.node.path}/${id}` : id;
    if (props === null || typeof props !== 'object') {
      throw new Error(`[${path}] props: ${JSON.stringify(props)} is not SealedSecretProps; give at least { encryptedData }`);
    }
    const encrypted = props.encryptedData;
    if (encrypted === null || typeof encrypted !== 'object' || Array.isArray(encrypted) || Object.keys(encrypted).length === 0) {
      throw new Error(`[${path}] encryptedData: ${encrypted === undefined ? 'undefined' : 'not a map of keys'} seals nothing; give the map `
        + '`kubeseal` wrote under spec.encryptedData, e.g. { password: \'AgB...\' }');
    }
    for (const [key, value] of Object.entries(encrypted)) checkSealed(path, key, value);
    if (props.name !== undefined && !isDnsSubdomain(props.name)) {
      throw new Error(`[${path}] name: ${JSON.stringify(props.name)} is not an object name; use the DNS subdomain the values were sealed for`);
    }
    const name = props.name ?? Names.toDnsLabel(scope, { extra: [id] });
    super(scope, id, name, Object.keys(encrypted));

    if (props.sealingScope !== undefined && !(props.sealingScope instanceof SealedSecretScope)) {
      throw new Error(`[${this.node.path}] sealingScope: ${JSON.stringify(props.sealingScope)} is not a SealedSecretScope; use `
        + 'SealedSecretScope.STRICT, NAMESPACE_WIDE or CLUSTER_WIDE');
    }
    if (props.secretType !== undefined && (typeof props.secretType !== 'string' || props.secretType.trim() === '')) {
      throw new Error(`[${this.node.path}] secretType: ${JSON.stringify(props.secretType)} is not a Secret type; use e.g. 'Opaque' or 'kubernetes.io/tls'`);
    }
    checkTemplateMetadata(this.node.path, 'secretLabels', props.secretLabels);
    checkTemplateMetadata(this.node.path, 'secretAnnotations', props.secretAnnotations);
    this.sealingScope = props.sealingScope ?? SealedSecretScope.STRICT;
    const scopeAnnotations = this.sealingScope.annotation ? { [this.sealingScope.annotation]: 'true' } : {};
    const labels = { 'app.kubernetes.io/managed-by': HardenedDefaults.MANAGED_BY };
    const templateAnnotations = { ...props.secretAnnotations, ...scopeAnnotations };

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name, labels, annotations: Object.keys(scopeAnnotations).length > 0 ? scopeAnnotations : undefined },
      spec: {
        encryptedData: { ...encrypted },
        template: {
          metadata: {
            name,
            labels: { ...labels, ...props.secretLabels },
            annotations: Object.keys(templateAnnotations).length > 0 ? templateAnnotations : undefined,
          },
          type: props.secretType ?? 'Opaque',
        },
      },
    });
  }
}

/** Refuses a value that is not the controller's ciphertext; the message names the key, never the value. */
function checkSealed(path: string, key: string, value: unknown): void {
  const where = `[${path}] encryptedData['${key}']`;
  if (key.length > 253 || !SECRET_KEY.test(key)) {
    throw new Error(`[${path}] encryptedData: key ${JSON.stringify(key)} is not a Secret key; use letters, digits, '-', '_' and '.'`);
  }
  const fix = 'give the value `kubeseal` printed for this key (never the plain value: it would be in the YAML)';
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`${where}: the value is empty; ${fix}`);
  }
  if (!BASE64.test(value)) {
    throw new Error(`${where}: the value is not base64, so it is not sealed (it may be the plain secret); ${fix}`);
  }
  const bytes = Buffer.from(value, 'base64');
  const rsaLength = bytes.length >= 2 ? bytes.readUInt16BE(0) : 0;
  if (!RSA_LENGTHS.includes(rsaLength) || bytes.length < 2 + rsaLength + GCM_TAG) {
    throw new Error(`${where}: the value is base64 but not a sealed secret (${bytes.length} bytes; sealed values start with the length of an `
      + `RSA-wrapped session key, ${RSA_LENGTHS.join(', ')} bytes, followed by it and an AES-GCM ciphertext); ${fix}`);
  }
}

/** Template labels or annotations: a map of strings, none of the controller's own keys (the scope is `sealingScope`). */
function checkTemplateMetadata(path: string, field: string, map: { [key: string]: string } | undefined): void {
  if (map === undefined) return;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(map)} is not a map of strings; give e.g. { team: 'shop' }, or leave it out`);
  }
  for (const [key, value] of Object.entries(map)) {
    if (key.startsWith(CONTROLLER_PREFIX)) {
      throw new Error(`[${path}] ${field}: '${key}' is the Sealed Secrets controller's own key (it would change how the values are unsealed); `
        + 'set the scope with sealingScope, and leave the controller\'s keys out');
    }
    if (typeof value !== 'string') {
      throw new Error(`[${path}] ${field}['${key}']: ${JSON.stringify(value)} is not a string; quote it, e.g. '${String(value)}'`);
    }
  }
}
