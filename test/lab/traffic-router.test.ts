import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routingRecords } from '../../src/advise/routing-records.ts';
import { populationPlaces } from '../../src/lab/traffic/population-places.ts';
import { Route53Router } from '../../src/lab/traffic/route53-router.ts';
import { chooseArchitecture } from '../../src/sim/simulate.ts';
import { loadSpec } from '../../src/spec/load-spec.ts';

async function router(specName: string, architectureName: string, unhealthy: Set<string>) {
  const { spec } = await loadSpec(`examples/${specName}.yaml`);
  const architecture = chooseArchitecture(spec, architectureName);
  const regions = [...architecture.servingRegions, ...architecture.standbyRegions];
  const places = populationPlaces(spec, regions);
  const ingress = (region: string) => `127.0.${regions.indexOf(region) + 1}.1`;
  const instance = new Route53Router({
    domain: spec.domain,
    policy: architecture.routing.policy,
    ttlSeconds: architecture.routing.ttlSeconds,
    records: routingRecords(architecture),
    places,
    ingressAddress: ingress,
    health: (id) => !unhealthy.has(id),
    random: { nextFloat: () => 0.5 },
  });
  const ask = (subnet: string | undefined, name = `api.${spec.domain}`, type = 'A') =>
    instance.decide({ name, type, sourceAddress: '127.0.0.1', ...(subnet ? { clientSubnet: { address: subnet, sourcePrefixLength: 24 } } : {}) });
  return { spec, places, ingress, instance, ask };
}

test('latency routing: each population place is answered with its nearest healthy region; a flip changes the answer', async () => {
  const unhealthy = new Set<string>();
  const { places, ingress, instance, ask } = await router('global-shop', 'active-active', unhealthy);
  const germany = places.find((place) => place.name === 'europe:DE')!;
  assert.equal(germany.subnet, '10.3.0.0/24');
  assert.deepEqual(ask('10.3.0.0'), { kind: 'answer', addresses: [ingress('eu-west-1')], ttlSeconds: 60, scopePrefixLength: 24 });
  const japan = places.find((place) => place.name === 'asia:JP')!;
  assert.deepEqual(ask(japan.subnet.replace('/24', '')), { kind: 'answer', addresses: [ingress('ap-northeast-1')], ttlSeconds: 60, scopePrefixLength: 24 });
  unhealthy.add('eu-west-1');
  instance.healthChanged();
  const after = ask('10.3.0.0');
  assert.equal(after.kind, 'answer');
  assert.notDeepEqual(after.kind === 'answer' ? after.addresses : [], [ingress('eu-west-1')], 'an unhealthy region is no longer answered');
});

test('names outside the service are NXDOMAIN; other types are NODATA', async () => {
  const { ask, spec } = await router('global-shop', 'active-active', new Set());
  assert.deepEqual(ask('10.3.0.0', `www.${spec.domain}`), { kind: 'nxdomain' });
  assert.deepEqual(ask('10.3.0.0', spec.domain, 'AAAA'), { kind: 'nodata' });
  assert.equal(ask(undefined, spec.domain).kind, 'answer', 'a client outside the subnets is answered as the first place');
});

test('geolocation routing follows the spec: Europe to eu-central-1, North America to us-east-1', async () => {
  const { places, ingress, ask } = await router('eu-saas', 'active-active', new Set());
  const europe = places.find((place) => place.country === 'DE')!;
  const america = places.find((place) => place.country === 'US')!;
  assert.deepEqual(ask(europe.subnet.replace('/24', '')), { kind: 'answer', addresses: [ingress('eu-central-1')], ttlSeconds: 60, scopePrefixLength: 24 });
  assert.deepEqual(ask(america.subnet.replace('/24', '')), { kind: 'answer', addresses: [ingress('us-east-1')], ttlSeconds: 60, scopePrefixLength: 24 });
});
