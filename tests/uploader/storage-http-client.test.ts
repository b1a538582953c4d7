import { createServer, type Server, type ServerResponse } from "node:http";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { Clock } from "../../uploader/src/core/clock";
import { systemClock } from "../../uploader/src/cli/systemClock";
import { NO_PROXY_SETTINGS, ProxyAgents } from "../../uploader/src/net/proxy";
import { StoppedError } from "../../uploader/src/core/stop";
import { StopController } from "../../uploader/src/cli/stopController";
import { STORAGE_RETRY } from "../../uploader/src/net/retry";
import { storageHttpClient } from "../../uploader/src/storage/httpClient";

type Answer = number | "hold" | "busy" | "cut";

/** A loopback server whose answers the test scripts one by one; "hold" keeps the request open, "busy" is a 503 with Retry-After: 3, "cut" drops the connection in the middle of a 200's body. */
async function scriptedServer(answers: Answer[]): Promise<{ server: Server; url: string; requests: () => number; held: ServerResponse[] }> {
  let requests = 0;
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    requests++;
    request.resume();
    const answer = answers.shift() ?? 200;
    if (answer === "hold") return void held.push(response);
    if (answer === "busy") return void response.writeHead(503, { "retry-after": "3" }).end();
    if (answer === "cut") return void response.writeHead(200, { "content-length": "100" }).write("<ans", () => response.socket?.destroy());
    response.writeHead(answer, { "content-type": "application/xml" }).end(`<answer status="${answer}"/>`);
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", () => listening()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/devstoreaccount1/hr-state/jobs/x.json`, requests: () => requests, held };
}

describe("the Storage SDK's HTTP client (ours)", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    }
  });
  const start = async (answers: Answer[]) => {
    const scripted = await scriptedServer(answers);
    servers.push(scripted.server);
    return scripted;
  };
  // The system clock: a manual one would move on (past the connect timeout) while the real request is in flight. Storage's waits are short (0.5, 1, 2 s at most).
  const clientWith = (clock: Clock = systemClock, stop = new StopController(20_000)) => storageHttpClient({ agents: new ProxyAgents(NO_PROXY_SETTINGS), clock, cancellation: stop });
  const get = (url: string, abortSignal?: AbortSignal) => createPipelineRequest({ url, method: "GET", headers: createHttpHeaders(), abortSignal });

  it("retries Storage's 503 with our loop and hands back the answer that came", async () => {
    const { url, requests } = await start([503, 500, 200]);
    const response = await clientWith().sendRequest(get(url));
    expect([response.status, response.bodyAsText, requests()]).toEqual([200, '<answer status="200"/>', 3]);
  });

  it("retries an answer whose body the connection cut off, as a network failure", async () => {
    const { url, requests } = await start(["cut", 200]);
    const response = await clientWith().sendRequest(get(url));
    expect([response.status, response.bodyAsText, requests()]).toEqual([200, '<answer status="200"/>', 2]);
  });

  it("hands the SDK the last answer once the tries are spent, within the Storage budget", async () => {
    const { url, requests } = await start([503, 503, 503, 503, 503, 503]);
    const started = Date.now();
    const response = await clientWith().sendRequest(get(url));
    expect([response.status, requests()]).toEqual([503, STORAGE_RETRY.maxRetries + 1]);
    expect(Date.now() - started).toBeLessThanOrEqual(20_000);
  });

  /** Resolves once `condition` holds, polling every 5 ms. */
  const soon = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const poll = () => (condition() ? resolve() : setTimeout(poll, 5));
      poll();
    });

  it("ends a call at the run's halt as a stop, and at the SDK caller's own signal as an AbortError, in a try or in a backoff wait", async () => {
    const { url, held, requests } = await start(["hold", "hold", "busy"]);
    const stop = new StopController(0, (halt) => setTimeout(halt, 0)); // the grace ends at once
    const halted = clientWith(systemClock, stop).sendRequest(get(url));
    await soon(() => held.length === 1);
    stop.request({ kind: "signal", signal: "SIGTERM" });
    await expect(halted).rejects.toEqual(new StoppedError({ kind: "signal", signal: "SIGTERM" }));

    const answered = () => new Promise((later) => setTimeout(later, 200)); // the busy answer has reached the client, which waits 3 s
    for (const [waitFor, then] of [[() => held.length === 2, async () => undefined], [() => requests() === 3, answered]] as const) {
      const caller = new AbortController();
      const aborted = clientWith().sendRequest(get(url, caller.signal));
      await soon(waitFor); // in its try; then in the wait the busy answer asked for
      await then();
      caller.abort();
      const error = await aborted.catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ name: "AbortError" });
      expect(error).not.toBeInstanceOf(StoppedError);
    }
  });
});
