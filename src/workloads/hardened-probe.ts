import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/** Timing of a probe; each field left out keeps Kubernetes' own default. */
export interface HardenedProbeOptions {
  /**
   * Delay after the container starts before the first probe.
   * @default - Kubernetes' default (0 seconds)
   */
  readonly initialDelay?: Duration;
  /**
   * How often the probe runs (at least 1 second).
   * @default - Kubernetes' default (10 seconds)
   */
  readonly period?: Duration;
  /**
   * How long one probe may take (at least 1 second).
   * @default - Kubernetes' default (1 second)
   */
  readonly timeout?: Duration;
  /**
   * Consecutive failures after which the probe counts as failed.
   * @default 3
   */
  readonly failureThreshold?: number;
  /**
   * Consecutive successes after a failure for the probe to count as passing again; Kubernetes requires 1 for
   * liveness and startup probes.
   * @default - Kubernetes' default (1)
   */
  readonly successThreshold?: number;
}

/** Options of a gRPC probe. */
export interface GrpcProbeOptions extends HardenedProbeOptions {
  /**
   * The service name sent in the gRPC health check request (`grpc.health.v1.HealthCheckRequest.service`).
   * @default - no name: the server's overall health
   */
  readonly service?: string;
}

/** One HTTP request header of an HTTP probe. */
export interface HttpProbeHeader {
  /** Header name, an RFC 7230 token, e.g. `Host` or `X-Probe`. */
  readonly name: string;
  /** Header value (no line breaks). */
  readonly value: string;
}

/** Options of an HTTP GET probe. */
export interface HttpGetProbeOptions extends HardenedProbeOptions {
  /**
   * Port the request goes to.
   * @default - the container's `portNumber`
   */
  readonly port?: number;
  /**
   * Request headers, each name at most once (case-insensitive).
   * @default - none
   */
  readonly headers?: HttpProbeHeader[];
  /**
   * HTTP or HTTPS.
   * @default kplus.ConnectionScheme.HTTP
   */
  readonly scheme?: kplus.ConnectionScheme;
}

/** What a probe made by HardenedProbe renders, for the checks a container runs on its probes. */
interface ProbeSpec {
  readonly description: string;
  readonly render: (container: kplus.Container) => kplus.k8s.Probe | undefined;
  readonly successThreshold?: number;
}

const PROBES = new WeakMap<kplus.Probe, ProbeSpec>();
/** RFC 7230 section 3.2.6 `token`: the characters a header field name may have. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Probes cdk8s-plus-27 cannot express: gRPC, HTTP with request headers, and no probe at all (to switch off the
 * startup probe cdk8s-plus derives from a container's port). Each factory returns a `kplus.Probe`, so it goes where
 * cdk8s-plus takes one (`readiness`, `liveness`, `startup` of a container, in every workload kind, containers added
 * after construction included) and renders exactly the Kubernetes fields.
 *
 * @example
 * containers: [{
 *   image, portNumber: 9090,
 *   readiness: HardenedProbe.grpc(9090, { service: 'ready' }),
 *   liveness: HardenedProbe.httpGet('/healthz', { port: 8081, headers: [{ name: 'X-Probe', value: 'liveness' }] }),
 *   startup: HardenedProbe.none(),
 * }]
 */
export class HardenedProbe {
  /**
   * A gRPC health check (`grpc: { port, service }`, grpc.health.v1) against the container.
   * @param port the container port serving the gRPC health service (a number: Kubernetes takes no port name here)
   * @throws if the port is not an integer from 1 to 65535, the service name is empty, or an option is out of range
   */
  public static grpc(port: number, options: GrpcProbeOptions = {}): kplus.Probe {
    const where = `HardenedProbe.grpc(${JSON.stringify(port)})`;
    checkPort(where, 'port', port);
    if (options.service !== undefined && (typeof options.service !== 'string' || options.service.trim() === '' || /[\r\n\0]/.test(options.service))) {
      throw new Error(`${where}: service ${JSON.stringify(options.service)} is not a service name; give the name the server registers with its `
        + 'health service (e.g. \'my.package.Service\'), or leave it out to check the server as a whole');
    }
    const timing = checkTiming(where, options);
    return HardenedProbe.make(where, options.successThreshold, () => ({
      ...timing,
      grpc: { port, ...(options.service !== undefined ? { service: options.service } : {}) },
    }));
  }

  /**
   * An HTTP GET probe with optional request headers (`httpGet: { path, port, scheme, httpHeaders }`).
   * @param path absolute request path, e.g. `/healthz`
   * @throws if the path is not absolute, the port is not an integer from 1 to 65535, a header name is not an
   * RFC 7230 token or occurs twice, a header value has a line break, or an option is out of range
   */
  public static httpGet(path: string, options: HttpGetProbeOptions = {}): kplus.Probe {
    const where = `HardenedProbe.httpGet(${JSON.stringify(path)})`;
    if (typeof path !== 'string' || !path.startsWith('/') || /[\s]/.test(path)) {
      throw new Error(`${where}: path ${JSON.stringify(path)} is not an absolute request path; use e.g. '/healthz'`);
    }
    if (options.port !== undefined) checkPort(where, 'port', options.port);
    if (options.scheme !== undefined && !Object.values(kplus.ConnectionScheme).includes(options.scheme)) {
      throw new Error(`${where}: scheme ${JSON.stringify(options.scheme)} is not HTTP or HTTPS; use kplus.ConnectionScheme.HTTP or .HTTPS`);
    }
    if (options.headers !== undefined && !Array.isArray(options.headers)) {
      throw new Error(`${where}: headers ${JSON.stringify(options.headers)} is not a list; give [{ name, value }], or leave it out`);
    }
    const headers = (options.headers ?? []).map((header, index) => {
      const field = `headers[${index}]`;
      if (header === null || typeof header !== 'object') {
        throw new Error(`${where}: ${field} ${JSON.stringify(header)} is not a header; give { name, value }`);
      }
      if (typeof header.name !== 'string' || !HEADER_NAME.test(header.name)) {
        throw new Error(`${where}: ${field}.name ${JSON.stringify(header.name)} is not an HTTP header name (an RFC 7230 token: letters, digits `
          + 'and !#$%&\'*+-.^_`|~, no spaces or colons); use e.g. \'X-Probe\'');
      }
      if (typeof header.value !== 'string' || /[\r\n\0]/.test(header.value)) {
        throw new Error(`${where}: ${field}.value ${JSON.stringify(header.value)} is not a header value; give a string without line breaks`);
      }
      return { name: header.name, value: header.value };
    });
    headers.forEach((header, index) => {
      const first = headers.findIndex(h => h.name.toLowerCase() === header.name.toLowerCase());
      if (first !== index) {
        throw new Error(`${where}: headers[${index}].name '${header.name}' repeats headers[${first}].name '${headers[first].name}' `
          + '(header names are case-insensitive); give each header once');
      }
    });
    const timing = checkTiming(where, options);
    return HardenedProbe.make(where, options.successThreshold, container => {
      const port = options.port ?? container.portNumber;
      if (port === undefined) {
        throw new Error(`${where}: container '${container.name}' has no portNumber to send the request to; give the probe a port`);
      }
      return {
        ...timing,
        httpGet: {
          path,
          port: kplus.k8s.IntOrString.fromNumber(port),
          ...(options.scheme !== undefined ? { scheme: options.scheme } : {}),
          ...(headers.length > 0 ? { httpHeaders: headers } : {}),
        },
      };
    });
  }

  /**
   * No probe. For `startup`: switches off the startup probe cdk8s-plus-27 derives from a container's port (a TCP
   * check that only delays readiness); for `readiness` or `liveness`: no probe, which the `probes` control reports
   * for long-running workloads unless an exemption covers it.
   */
  public static none(): kplus.Probe {
    return HardenedProbe.make('HardenedProbe.none()', undefined, () => undefined);
  }

  /**
   * Whether a probe was made by HardenedProbe (and renders through it).
   * @param probe any cdk8s-plus probe
   */
  public static isHardenedProbe(probe: kplus.Probe): boolean {
    return PROBES.has(probe);
  }

  /**
   * What a probe made here says about itself, for the container checks.
   * @internal
   */
  public static _specOf(probe: kplus.Probe | undefined): { description: string; successThreshold?: number } | undefined {
    return probe === undefined ? undefined : PROBES.get(probe);
  }

  /**
   * A cdk8s-plus Probe whose rendering is ours: cdk8s-plus renders every probe of a container through the
   * probe's `_toKube(container)` (cdk8s-plus-27 2.9), so replacing it on this one instance makes the exact
   * Kubernetes fields reach the YAML by cdk8s-plus' own path, whatever workload holds the container.
   */
  private static make(description: string, successThreshold: number | undefined, render: ProbeSpec['render']): kplus.Probe {
    const probe = kplus.Probe.fromTcpSocket();
    if (typeof (probe as any)._toKube !== 'function') {
      throw new Error(`${description}: this version of cdk8s-plus-27 renders probes differently; cdk8s-hardened needs cdk8s-plus-27 ~2.9`);
    }
    Object.defineProperty(probe, '_toKube', { value: (container: kplus.Container) => render(container), enumerable: false });
    PROBES.set(probe, { description, render, successThreshold });
    return probe;
  }

  private constructor() {}
}

function checkPort(where: string, field: string, port: unknown): void {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${where}: ${field} ${JSON.stringify(port)} is not a port number; use an integer from 1 to 65535`);
  }
}

/** The timing fields, checked: whole seconds, within Kubernetes' minimums. */
function checkTiming(where: string, options: HardenedProbeOptions): Partial<kplus.k8s.Probe> {
  if (options === null || typeof options !== 'object') {
    throw new Error(`${where}: options ${JSON.stringify(options)} is not an object; give e.g. { period: Duration.seconds(10) }, or leave it out`);
  }
  const seconds = (field: string, value: Duration | undefined, min: number): number | undefined => {
    if (value === undefined) return undefined;
    const s = value instanceof Duration ? value.toSeconds({ integral: false }) : NaN;
    if (!Number.isInteger(s) || s < min) {
      throw new Error(`${where}: ${field} ${value instanceof Duration ? `${s} seconds` : JSON.stringify(value)} is not a whole number of seconds `
        + `from ${min}; use e.g. Duration.seconds(${Math.max(min, 5)})`);
    }
    return s;
  };
  const count = (field: string, value: number | undefined): number | undefined => {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new Error(`${where}: ${field} ${JSON.stringify(value)} is not a count; use an integer from 1`);
    }
    return value;
  };
  const timing = {
    initialDelaySeconds: seconds('initialDelay', options.initialDelay, 0),
    periodSeconds: seconds('period', options.period, 1),
    timeoutSeconds: seconds('timeout', options.timeout, 1),
    failureThreshold: count('failureThreshold', options.failureThreshold) ?? 3,
    successThreshold: count('successThreshold', options.successThreshold),
  };
  return Object.fromEntries(Object.entries(timing).filter(([, v]) => v !== undefined));
}
