import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { alertFromPostable } from './alert.ts';
import { fingerprint, formatLabelSet } from './labels.ts';
import { parseMatchers } from './matchers.ts';
import { buildWebhookMessage, formatGoTime, goJson, NotifyError, postWebhook } from './webhook.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 600);

describe('webhook body (Alertmanager webhook format, version 4)', () => {
  it('matches the documented shape field for field, in Alertmanager\'s key order', () => {
    const a = alertFromPostable({ labels: { alertname: 'Down', instance: 'i<1>', job: 'node' }, annotations: { summary: 'x & y' }, startsAt: '2026-01-02T03:00:00.12Z', endsAt: '2026-01-02T03:08:00Z', generatorURL: 'http://g/?a=1&b=2' }, NOW, 300_000);
    const r = alertFromPostable({ labels: { alertname: 'Down', instance: 'i2', job: 'node' }, annotations: { summary: 'z' }, startsAt: '2026-01-02T02:00:00Z', endsAt: '2026-01-02T03:04:00Z' }, NOW, 300_000);
    const msg = buildWebhookMessage(
      { receiver: 'team', groupKey: '{}:{alertname="Down"}', groupLabels: { alertname: 'Down' }, externalURL: 'http://am.example', now: NOW },
      [{ ...a, endsAt: 0 }, r],
      0,
    );
    expect(goJson(msg)).toBe(
      '{"receiver":"team","status":"firing","alerts":[' +
        `{"status":"firing","labels":{"alertname":"Down","instance":"i\\u003c1\\u003e","job":"node"},"annotations":{"summary":"x \\u0026 y"},"startsAt":"2026-01-02T03:00:00.12Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://g/?a=1\\u0026b=2","fingerprint":"${fingerprint(a.labels)}"},` +
        `{"status":"resolved","labels":{"alertname":"Down","instance":"i2","job":"node"},"annotations":{"summary":"z"},"startsAt":"2026-01-02T02:00:00Z","endsAt":"2026-01-02T03:04:00Z","generatorURL":"","fingerprint":"${fingerprint(r.labels)}"}` +
        '],"groupLabels":{"alertname":"Down"},"commonLabels":{"alertname":"Down","job":"node"},"commonAnnotations":{},"externalURL":"http://am.example","version":"4","groupKey":"{}:{alertname=\\"Down\\"}","truncatedAlerts":0}',
    );
  });

  it('is "resolved" when every alert is, and truncates to max_alerts', () => {
    const mk = (i: string) => alertFromPostable({ labels: { alertname: 'A', i }, startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-02T01:00:00Z' }, NOW, 0);
    const msg = buildWebhookMessage({ receiver: 'r', groupKey: 'k', groupLabels: {}, externalURL: '', now: NOW }, [mk('1'), mk('2'), mk('3')], 2);
    expect(msg.status).toBe('resolved');
    expect(msg.alerts.map((x) => x.labels['i'])).toEqual(['1', '2']);
    expect(msg.truncatedAlerts).toBe(1);
    expect(msg.commonLabels).toEqual({ alertname: 'A' });
  });

  it('formats times as Go does', () => {
    expect(formatGoTime(0)).toBe('0001-01-01T00:00:00Z');
    expect(formatGoTime(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z');
    expect(formatGoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 100))).toBe('2026-01-01T00:00:00.1Z');
    expect(formatGoTime(Date.UTC(2026, 0, 1, 0, 0, 0, 123))).toBe('2026-01-01T00:00:00.123Z');
  });
});

describe('labels and matchers', () => {
  it('fingerprints label sets as Alertmanager does (values checked against prometheus-alertmanager 0.25)', () => {
    expect(fingerprint({ alertname: 'High', instance: 'i0', job: 'x', severity: 'critical', team: 'a' })).toBe('949d25a1252a9e45');
    expect(fingerprint({ alertname: 'High', instance: 'i1', job: 'x', severity: 'critical', team: 'a' })).toBe('e1dd741459da1c0a');
    expect(fingerprint({})).toBe('cbf29ce484222325');
  });
  it('prints label sets and matchers as in group keys', () => {
    expect(formatLabelSet({ b: 'x"y', a: '1' })).toBe('{a="1", b="x\\"y"}');
    expect(parseMatchers('{a="1", b=~"x|y",c!=z}').map(String)).toEqual(['a="1"', 'b=~"x|y"', 'c!="z"']);
    expect(parseMatchers('msg="a,b\\"c"').map((m) => m.value)).toEqual(['a,b"c']);
    expect(parseMatchers('job!~"api.*"')[0]!.matches({ job: 'api-1' })).toBe(false);
    expect(parseMatchers('job=~"api"')[0]!.matches({ job: 'api-1' })).toBe(false); // anchored
    expect(parseMatchers('missing=""')[0]!.matches({})).toBe(true);
  });
});

describe('alerts as posted', () => {
  it('fills in missing times and refuses bad alerts', () => {
    const a = alertFromPostable({ labels: { a: '1' } }, NOW, 300_000);
    expect([a.startsAt, a.endsAt, a.timeout]).toEqual([NOW, NOW + 300_000, true]);
    expect(() => alertFromPostable({ labels: {} }, NOW, 0)).toThrow('at least one label pair required');
    expect(() => alertFromPostable({ labels: { 'a-b': '1' } }, NOW, 0)).toThrow('invalid label set');
    expect(() => alertFromPostable({ labels: { a: '1' }, startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' }, NOW, 0)).toThrow('start time must be before end time');
    expect(() => alertFromPostable({ labels: { a: '1' }, startsAt: 'yesterday' }, NOW, 0)).toThrow('invalid RFC 3339 time');
  });
});

describe('webhook delivery over HTTP', () => {
  const serve = async (status: number) => {
    const got: { headers: IncomingHttpHeaders; body: string }[] = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.statusCode = status;
        res.end(status >= 400 ? 'nope' : '');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`, got, close: () => new Promise((r) => srv.close(r)) };
  };
  const msg = buildWebhookMessage({ receiver: 'r', groupKey: 'k', groupLabels: {}, externalURL: '', now: NOW }, [], 0);

  it('posts JSON with the configured authorization, ending in a newline', async () => {
    const s = await serve(200);
    await postWebhook({ url: s.url, sendResolved: true, maxAlerts: 0, timeoutMs: 0, http: { authorization: 'Bearer t0k', followRedirects: true } }, msg, new AbortController().signal);
    expect(s.got[0]!.headers['authorization']).toBe('Bearer t0k');
    expect(s.got[0]!.headers['content-type']).toBe('application/json');
    expect(s.got[0]!.body.endsWith('}\n')).toBe(true);
    await s.close();
  });

  it.each([[503, true], [429, false], [400, false]])('status %i: retryable %s', async (status, retry) => {
    const s = await serve(status);
    const err = await postWebhook({ url: s.url, sendResolved: true, maxAlerts: 0, timeoutMs: 0, http: { followRedirects: true } }, msg, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifyError);
    expect((err as NotifyError).retry).toBe(retry);
    expect((err as NotifyError).message).toContain(`unexpected status code ${status}: nope`);
    await s.close();
  });

  it('treats a refused connection as retryable, and names the URL without credentials', async () => {
    const s = await serve(200);
    await s.close();
    const err = (await postWebhook({ url: s.url.replace('http://', 'http://u:secret@'), sendResolved: true, maxAlerts: 0, timeoutMs: 0, http: { followRedirects: true } }, msg, new AbortController().signal).catch((e: unknown) => e)) as NotifyError;
    expect(err.retry).toBe(true);
    expect(err.message).not.toContain('secret');
  });
});
