// HTTP load with autocannon (run in this process, separate from the backend under test).
import autocannon from 'autocannon';

/**
 * Runs one load test and returns throughput (successful requests per second), latency
 * percentiles in ms and the error counts. Throws if any answer was not the expected status.
 */
export async function load({
  url,
  method = 'GET',
  headers = {},
  body,
  connections = 1,
  duration,
  amount,
  expect = [200],
  timeoutS = 60,
}) {
  const result = await autocannon({
    url,
    method,
    headers: body
      ? { 'content-type': 'application/json', ...headers }
      : headers,
    body,
    connections,
    ...(amount ? { amount } : { duration }),
    timeout: timeoutS,
  });
  const codes = Object.keys(result.statusCodeStats ?? {}).map(Number);
  const bad = codes.filter(c => !expect.includes(c));
  if (bad.length || result.errors || result.timeouts) {
    throw new Error(
      `${method} ${url}: unexpected answers ${JSON.stringify(
        result.statusCodeStats,
      )}, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  const ok = expect.reduce(
    (n, c) => n + (result.statusCodeStats?.[c]?.count ?? 0),
    0,
  );
  const seconds = (new Date(result.finish) - new Date(result.start)) / 1000;
  return {
    requests: ok,
    seconds,
    rps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}
