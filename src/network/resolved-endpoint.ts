import { EndpointPort } from './reachability';
import { Cidr } from '../namespaces/cidr';

/* Internal (not re-exported from index.ts): an Endpoint resolved against the manifests. */

/** An endpoint with what the manifests say about it. */
export interface ResolvedEndpoint {
  readonly description: string;
  /** The pod's namespace, labels and container ports; undefined for an external address. */
  readonly pod?: {
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly ports: EndpointPort[];
    /** The pod template's spec, for an object of the manifests (undefined for a described pod). */
    readonly spec?: any;
    /** The pod template's annotations. */
    readonly annotations?: Record<string, string>;
  };
  /** The address of an external endpoint. */
  readonly address?: Cidr;
}
