import type { Agent } from "node:http";
import type { INetworkModule, NetworkResponse } from "@azure/msal-node";
import type { Clock } from "../core/clock";
import { exchange, HttpFailure, type HttpAnswer } from "../net/http";
import { withRequestSignal } from "../core/stop";

/** What MSAL's requests share with the rest of the run: a timeout per request, the run's halt, the proxy rule. */
export interface MsalNetwork {
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** Ends requests in flight: the run's halt. */
  readonly halt: AbortSignal;
  /** The proxy agent for a URL, by the run's one proxy rule; undefined to go direct. */
  readonly agentFor?: (url: string) => Agent | undefined;
}

/** How one MSAL client judges its exchanges. */
export interface MsalNetworkHooks {
  /** Told of every request before it goes. */
  readonly onRequest?: (method: "GET" | "POST") => void;
  /** Sees each answer with its parsed body; throws to make it a failure instead. */
  readonly judge?: (answer: HttpAnswer, body: unknown) => void;
  /** What MSAL is to throw for a transport failure (the halt, a timeout, a refused connection...). */
  readonly fail: (failure: HttpFailure, url: string, timedOut: boolean) => Error;
}

/**
 * MSAL's network client on our HTTP exchange: a timeout on every request
 * (MSAL's default has none on POST), the run's halt and the proxy rule, the
 * same as for uploads and Blob Storage. Used for Entra and for the managed
 * identity endpoint.
 */
export function msalNetworkClient(network: MsalNetwork, hooks: MsalNetworkHooks): INetworkModule {
  const send = async <T>(url: string, method: "GET" | "POST", headers: Record<string, string> = {}, body?: string): Promise<NetworkResponse<T>> => {
    hooks.onRequest?.(method);
    return withRequestSignal(network.halt, network.timeoutMs, network.clock, async (request) => {
      try {
        const payload = body === undefined ? [] : [Buffer.from(body)];
        const answer = await exchange({
          url,
          method,
          headers: { ...headers, ...(body === undefined ? {} : { "content-length": payload[0]?.length ?? 0 }) },
          body: payload,
          signal: request.signal,
          agent: network.agentFor?.(url),
        });
        const parsed = parseJson(answer.body);
        hooks.judge?.(answer, parsed);
        return { status: answer.status, headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, header(value) ?? ""])), body: parsed as T };
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        throw hooks.fail(error, url, request.timedOut());
      }
    });
  };
  return {
    sendGetRequestAsync: (url, options) => send(url, "GET", options?.headers),
    sendPostRequestAsync: (url, options) => send(url, "POST", options?.headers, options?.body),
  };
}

export const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(", ") : value);

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return {}; // a non-JSON body (a proxy's error page) leaves MSAL without a token; the caller reports it
  }
}
