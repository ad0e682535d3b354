import { afterEach, describe, expect, it } from 'vitest';
import { connectAgent, tokenFor, type AgentClient } from '../helpers/agents.js';
import { HOTLINE, startHotline, type Hotline } from '../helpers/hotline.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { until } from '../helpers/wait.js';

let t: Hotline | undefined;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>> | undefined;
let agent: AgentClient | undefined;
afterEach(async () => {
  agent?.close();
  await t?.close();
  await receiver?.close();
  t = undefined;
  receiver = undefined;
  agent = undefined;
});

describe('OpenTelemetry traces (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('a caller reaching an agent is one trace: the webhook, the IVR turn, the enqueue and the offer', async () => {
    receiver = await startOtlpReceiver();
    t = await startHotline({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'switchboard-test', ROUTING_SWEEP_MS: '200' });
    const who = await tokenFor(t.app, t.db, 'agent1');
    agent = await connectAgent(t.url, who.token, who.id, { heartbeatMs: 2000 });
    await agent.next('agent:restore');
    await agent.request('state:set', { state: 'available' });

    const caller = t.sim.dial({ from: '+8613800000003', to: HOTLINE });
    for (const keys of ['1', '0']) {
      await caller.waitFor('gathering');
      await caller.press(keys);
    }
    const offer = await agent.next('call:offered');

    const spans = receiver.spans;
    const offerSpan = await until('the offer span to be exported', async () => spans.find((s) => s.name === 'routing.offer' && s.attributes['switchboard.entry_id'] === offer.entry_id));
    const trace = spans.filter((s) => s.traceId === offerSpan.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const chain: string[] = [];
    for (let s: typeof offerSpan | undefined = offerSpan; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) chain.unshift(s.name);
    expect(chain).toEqual(['POST /twilio/voice/gather', 'ivr.input', 'routing.enqueue', 'routing.offer']);
    expect(offerSpan.attributes['switchboard.agent_id']).toBe(who.id);
    expect(offerSpan.service).toBe('switchboard-test');
    expect(trace.find((s) => s.name === 'POST /twilio/voice/gather')!.attributes['http.response.status_code']).toBe(200);
    // Spans name calls by sid and entries by id: never the caller's number.
    expect(JSON.stringify(spans)).not.toContain('13800000003');
  });
});
