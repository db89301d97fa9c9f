// Owns the scripted fetch of the reachability probes: every request waits until the test answers
// it or fails it, so a test decides when (on the FakeEnv clock) the server is reachable.

/** One request, waiting for the test. */
export interface PendingRequest {
  readonly url: string;
  readonly init: RequestInit | undefined;
  /** The server answers (any status proves it reachable). */
  readonly answer: (status?: number) => void;
  /** The request fails (refused, timed out, offline). */
  readonly fail: (error?: Error) => void;
}

/** A fetch that records requests and leaves each pending until the test settles it. */
export function fakeFetch(): {
  readonly fetch: typeof fetch;
  readonly requests: PendingRequest[];
  /** Requests not yet answered or failed. */
  readonly pending: () => PendingRequest[];
} {
  const requests: PendingRequest[] = [];
  const settled = new Set<PendingRequest>();
  const fetchFn = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const url = input instanceof Request ? input.url : String(input);
      const request: PendingRequest = {
        url,
        init,
        answer: (status = 204) => {
          settled.add(request);
          resolve(new Response(null, { status }));
        },
        fail: (error = new TypeError('fetch failed')) => {
          settled.add(request);
          reject(error);
        },
      };
      requests.push(request);
    });
  return {
    fetch: fetchFn,
    requests,
    pending: () => requests.filter((request) => !settled.has(request)),
  };
}
