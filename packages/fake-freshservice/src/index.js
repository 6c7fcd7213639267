// @ts-check
'use strict';

/**
 * A small local stand-in for the Freshservice REST API v2: the ticket calls the JIT Access
 * Freshservice module makes (view a ticket, add a note, update its status, list its
 * conversations), answered as the API reference documents them, with Basic auth (the API
 * key as user name, `X` as password), `{ description, errors[] }` validation errors and 429
 * with `Retry-After`. Stricter than the real API where the reference leaves room: unknown
 * body fields, a wrong password and a non-JSON content type are refused. Plain JavaScript
 * on node's `http` module so it runs on a bare Node 22 without a build.
 */

const http = require('node:http');

/**
 * @typedef {object} FakeConversation
 * @property {number} id
 * @property {number} user_id
 * @property {string[]} to_emails
 * @property {string} body
 * @property {string} body_text
 * @property {number} ticket_id
 * @property {string} created_at
 * @property {string} updated_at
 * @property {boolean} incoming
 * @property {boolean} private
 * @property {string | null} support_email
 * @property {string[]} notify_emails
 * @property {unknown[]} attachments
 *
 * @typedef {object} FakeTicket
 * @property {number} id
 * @property {string} subject
 * @property {string} description
 * @property {string} description_text
 * @property {number} status 2 Open, 3 Pending, 4 Resolved, 5 Closed
 * @property {number} priority
 * @property {number} requester_id
 * @property {string} type
 * @property {string} created_at
 * @property {string} updated_at
 * @property {FakeConversation[]} conversations
 *
 * @typedef {object} NewTicket
 * @property {number} [id]
 * @property {string} [subject]
 * @property {string} [description]
 * @property {number} [status]
 * @property {number} [priority]
 * @property {string} [type]
 *
 * @typedef {object} LoggedCall
 * @property {string} method
 * @property {string} path
 * @property {number} status
 * @property {unknown} [body]
 *
 * @typedef {object} StartOptions
 * @property {number} [port] default 0 (any free port)
 * @property {string} [host] default 127.0.0.1
 * @property {string} [apiKey] when set, only this key is accepted (else any non-empty key)
 * @property {NewTicket[]} [tickets]
 */

const STATUSES = [2, 3, 4, 5];
const PRIORITIES = [1, 2, 3, 4];
const NOTE_FIELDS = ['body', 'private', 'incoming', 'notify_emails', 'user_id'];
/** The ticket fields a PUT may change (a subset of the reference's list). */
const UPDATE_FIELDS = ['status', 'priority', 'subject', 'description'];
const AGENT_ID = 1000;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * @param {http.ServerResponse} res
 * @param {number} status
 * @param {unknown} [body]
 * @param {Record<string, string>} [headers]
 */
function send(res, status, body, headers = {}) {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      ...headers,
    })
    .end(text);
}

/**
 * Freshservice's validation error.
 * @param {http.ServerResponse} res
 * @param {{ field: string, message: string, code: string }[]} errors
 */
function validationFailed(res, errors) {
  send(res, 400, { description: 'Validation failed', errors });
}

/**
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readText(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', chunk => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** @param {string} html */
function textOf(html) {
  return html
    .replace(/<br\s*\/?>|<\/(div|p|li|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Starts the fake Freshservice API.
 * @param {StartOptions} [options]
 */
async function startFakeFreshservice(options = {}) {
  const { port = 0, host = '127.0.0.1', apiKey } = options;
  /** @type {Map<number, FakeTicket>} */
  let tickets = new Map();
  /** @type {LoggedCall[]} */
  let calls = [];
  let nextConversationId = 1;
  let rateLimited = { requests: 0, retryAfter: 1 };
  let failures = { requests: 0, status: 500 };

  /** @param {NewTicket} t */
  const addTicket = (t = {}) => {
    const id =
      t.id ?? Math.max(0, ...[...tickets.keys()].map(k => Number(k))) + 1;
    if (!Number.isInteger(id) || id < 1)
      throw new Error('id: a positive whole number');
    if (t.status !== undefined && !STATUSES.includes(t.status))
      throw new Error('status: 2, 3, 4 or 5');
    const now = new Date().toISOString();
    const description = t.description ?? '';
    /** @type {FakeTicket} */
    const ticket = {
      id,
      subject: t.subject ?? `Ticket ${id}`,
      description,
      description_text: textOf(description),
      status: t.status ?? 2,
      priority: t.priority ?? 1,
      requester_id: 2000,
      type: t.type ?? 'Service Request',
      created_at: now,
      updated_at: now,
      conversations: [],
    };
    tickets.set(id, ticket);
    return ticket;
  };
  const reset = () => {
    tickets = new Map();
    calls = [];
    nextConversationId = 1;
    rateLimited = { requests: 0, retryAfter: 1 };
    failures = { requests: 0, status: 500 };
    for (const t of options.tickets ?? []) addTicket(t);
  };
  reset();

  /** @param {FakeTicket} t */
  const ticketView = t => {
    const { conversations: _conversations, ...rest } = t;
    return rest;
  };

  /**
   * @param {http.IncomingMessage} req
   * @returns {boolean}
   */
  const authorized = req => {
    const header = req.headers.authorization ?? '';
    const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (!match) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) return false;
    const key = decoded.slice(0, colon);
    // The reference: the API key as user name and any password ("X"); the fake wants "X".
    if (decoded.slice(colon + 1) !== 'X') return false;
    return apiKey === undefined || key === apiKey;
  };

  /**
   * Reads a JSON object body, answering the error itself when there is none.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @returns {Promise<Record<string, unknown> | undefined>}
   */
  const jsonBody = async (req, res) => {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      send(res, 415, {
        code: 'invalid_content_type',
        message: `Content-Type header is set to ${type}. It should be set to application/json`,
      });
      return undefined;
    }
    let body;
    try {
      body = JSON.parse(await readText(req));
    } catch {
      validationFailed(res, [
        {
          field: '',
          message: 'Request body has invalid json format',
          code: 'invalid_json',
        },
      ]);
      return undefined;
    }
    if (!isObject(body)) {
      validationFailed(res, [
        {
          field: '',
          message: 'Request body has invalid json format',
          code: 'invalid_json',
        },
      ]);
      return undefined;
    }
    return body;
  };

  /**
   * @param {Record<string, unknown>} body
   * @param {string[]} allowed
   */
  const unexpected = (body, allowed) =>
    Object.keys(body)
      .filter(k => !allowed.includes(k))
      .map(field => ({
        field,
        message: 'Unexpected/invalid field in request',
        code: 'invalid_field',
      }));

  /**
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   * @param {LoggedCall} call
   */
  const handleApi = async (req, res, call) => {
    if (rateLimited.requests > 0) {
      rateLimited.requests -= 1;
      send(
        res,
        429,
        { message: 'You have exceeded the limit of requests per minute' },
        { 'Retry-After': String(rateLimited.retryAfter) },
      );
      return;
    }
    if (failures.requests > 0) {
      failures.requests -= 1;
      send(res, failures.status, { message: 'Internal server error' });
      return;
    }
    if (!authorized(req)) {
      send(res, 401, {
        code: 'invalid_credentials',
        message: 'You have to be logged in to perform this action.',
      });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/api\/v2\/tickets\/([^/]+)(\/notes|\/conversations)?$/.exec(
      url.pathname,
    );
    if (!m) {
      send(res, 404, { code: 'not_found', message: 'Not Found' });
      return;
    }
    const id = /^[1-9][0-9]{0,17}$/.test(m[1]) ? Number(m[1]) : NaN;
    const ticket = tickets.get(id);
    if (!ticket) {
      send(res, 404, { code: 'access_denied', message: 'Record not found' });
      return;
    }
    const sub = m[2];
    if (!sub && req.method === 'GET') {
      send(res, 200, { ticket: ticketView(ticket) });
      return;
    }
    if (sub === '/conversations' && req.method === 'GET') {
      send(res, 200, {
        conversations: ticket.conversations,
        meta: { count: ticket.conversations.length },
      });
      return;
    }
    if (sub === '/notes' && req.method === 'POST') {
      const body = await jsonBody(req, res);
      if (!body) return;
      call.body = body;
      const errors = unexpected(body, NOTE_FIELDS);
      if (body.body === undefined) {
        errors.push({
          field: 'body',
          message: 'It should be a/an String',
          code: 'missing_field',
        });
      } else if (typeof body.body !== 'string' || !body.body.trim()) {
        errors.push({
          field: 'body',
          message: 'It should be a/an String',
          code: 'datatype_mismatch',
        });
      }
      for (const flag of ['private', 'incoming']) {
        if (body[flag] !== undefined && typeof body[flag] !== 'boolean') {
          errors.push({
            field: flag,
            message: 'It should be a/an Boolean',
            code: 'datatype_mismatch',
          });
        }
      }
      if (
        body.notify_emails !== undefined &&
        !(
          Array.isArray(body.notify_emails) &&
          body.notify_emails.every(
            e => typeof e === 'string' && /^[^@\s]+@[^@\s]+$/.test(e),
          )
        )
      ) {
        errors.push({
          field: 'notify_emails',
          message:
            'It should contain elements of type valid email address only',
          code: 'datatype_mismatch',
        });
      }
      if (body.user_id !== undefined && !Number.isInteger(body.user_id)) {
        errors.push({
          field: 'user_id',
          message: 'It should be a/an Positive Integer',
          code: 'datatype_mismatch',
        });
      }
      if (errors.length) {
        validationFailed(res, errors);
        return;
      }
      const now = new Date().toISOString();
      /** @type {FakeConversation} */
      const conversation = {
        id: nextConversationId++,
        user_id: /** @type {number} */ (body.user_id ?? AGENT_ID),
        to_emails: [],
        body: /** @type {string} */ (body.body),
        body_text: textOf(/** @type {string} */ (body.body)),
        ticket_id: ticket.id,
        created_at: now,
        updated_at: now,
        incoming: /** @type {boolean} */ (body.incoming ?? false),
        private: /** @type {boolean} */ (body.private ?? true),
        support_email: null,
        notify_emails: /** @type {string[]} */ (body.notify_emails ?? []),
        attachments: [],
      };
      ticket.conversations.push(conversation);
      ticket.updated_at = now;
      send(res, 201, { conversation });
      return;
    }
    if (!sub && req.method === 'PUT') {
      const body = await jsonBody(req, res);
      if (!body) return;
      call.body = body;
      const errors = unexpected(body, UPDATE_FIELDS);
      if (
        body.status !== undefined &&
        !STATUSES.includes(/** @type {number} */ (body.status))
      ) {
        errors.push({
          field: 'status',
          message: "It should be one of these values: '2,3,4,5'",
          code: 'invalid_value',
        });
      }
      if (
        body.priority !== undefined &&
        !PRIORITIES.includes(/** @type {number} */ (body.priority))
      ) {
        errors.push({
          field: 'priority',
          message: "It should be one of these values: '1,2,3,4'",
          code: 'invalid_value',
        });
      }
      for (const text of ['subject', 'description']) {
        if (body[text] !== undefined && typeof body[text] !== 'string') {
          errors.push({
            field: text,
            message: 'It should be a/an String',
            code: 'datatype_mismatch',
          });
        }
      }
      if (!Object.keys(body).length) {
        errors.push({
          field: '',
          message: 'Request body is empty',
          code: 'missing_field',
        });
      }
      if (errors.length) {
        validationFailed(res, errors);
        return;
      }
      Object.assign(ticket, body);
      if (typeof body.description === 'string')
        ticket.description_text = textOf(body.description);
      ticket.updated_at = new Date().toISOString();
      send(res, 200, { ticket: ticketView(ticket) });
      return;
    }
    send(res, 405, {
      code: 'method_not_allowed',
      message: 'Method Not Allowed',
    });
  };

  /**
   * `POST /__admin/tickets` (a ticket, answers it), `GET /__admin/tickets/{id}` (with its
   * conversations), `GET /__admin/calls`, `PUT /__admin/ratelimit`
   * `{ requests, retryAfter }`, `PUT /__admin/failures` `{ requests, status }`,
   * `POST /__admin/reset`.
   * @param {http.IncomingMessage} req
   * @param {http.ServerResponse} res
   */
  const handleAdmin = async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://fake').pathname;
    try {
      const body =
        req.method === 'GET' ? undefined : (await readText(req)).trim();
      const json = body ? JSON.parse(body) : {};
      if (req.method === 'POST' && pathname === '/__admin/tickets') {
        send(res, 201, { ticket: addTicket(json) });
        return;
      }
      const t = /^\/__admin\/tickets\/(\d+)$/.exec(pathname);
      if (req.method === 'GET' && t) {
        const ticket = tickets.get(Number(t[1]));
        if (ticket) send(res, 200, { ticket });
        else send(res, 404, { message: 'no such ticket' });
        return;
      }
      if (req.method === 'GET' && pathname === '/__admin/calls') {
        send(res, 200, { calls });
        return;
      }
      if (req.method === 'PUT' && pathname === '/__admin/ratelimit') {
        rateLimited = {
          requests: Number(json.requests ?? 1),
          retryAfter: Number(json.retryAfter ?? 1),
        };
        send(res, 200, rateLimited);
        return;
      }
      if (req.method === 'PUT' && pathname === '/__admin/failures') {
        failures = {
          requests: Number(json.requests ?? 1),
          status: Number(json.status ?? 500),
        };
        send(res, 200, failures);
        return;
      }
      if (req.method === 'POST' && pathname === '/__admin/reset') {
        reset();
        send(res, 204);
        return;
      }
      send(res, 404, { message: 'Not Found' });
    } catch (e) {
      send(res, 400, { message: e instanceof Error ? e.message : String(e) });
    }
  };

  const server = http.createServer((req, res) => {
    if ((req.url ?? '').startsWith('/__admin/')) {
      handleAdmin(req, res);
      return;
    }
    /** @type {LoggedCall} */
    const call = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://fake').pathname,
      status: 0,
    };
    res.on('finish', () => {
      call.status = res.statusCode;
      calls.push(call);
    });
    handleApi(req, res, call).catch(e =>
      send(res, 500, { message: e instanceof Error ? e.message : String(e) }),
    );
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const actualPort =
    address && typeof address === 'object' ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${actualPort}`;

  return {
    url,
    port: actualPort,
    /** @param {NewTicket} [t] */
    addTicket: t => addTicket(t),
    /** @param {number} id */
    ticket: id => tickets.get(id),
    calls: () => calls,
    /** @param {number} requests @param {number} retryAfter */
    rateLimit: (requests, retryAfter) => {
      rateLimited = { requests, retryAfter };
    },
    /** @param {number} requests @param {number} [status] */
    fail: (requests, status = 500) => {
      failures = { requests, status };
    },
    reset,
    /** @returns {Promise<void>} */
    close: () =>
      new Promise((resolve, reject) => {
        server.close(err => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

module.exports = { startFakeFreshservice };
