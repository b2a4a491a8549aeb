import { findRegion } from '../../catalog/regions.ts';
import { mrscRegionSetOf, SERVICE_LEVELS } from '../../catalog/service-levels.ts';
import type { ResolvedDataClass, ResolvedSpec } from '../resolved-spec.ts';
import { issueError, issueWarning, type SpecIssue } from '../spec-issue.ts';
import type { SpecRule } from './rule.ts';

/** Where a class's replicas are: as declared, or every spec region its residency allows. */
export function replicaRegions(spec: ResolvedSpec, dataClass: ResolvedDataClass): readonly string[] {
  if (dataClass.replicas) return dataClass.replicas;
  const all = spec.regions.map((region) => region.code);
  const zone = dataClass.residency ? spec.zones[dataClass.residency] : undefined;
  return zone ? all.filter((code) => zone.includes(code)) : all;
}

export const zoneRegionsInSpec: SpecRule = {
  id: 'zone-regions',
  description: 'A zone lists regions of the spec, and is not empty; mixing legal regimes is worth a warning.',
  check(spec) {
    const issues: SpecIssue[] = [];
    for (const [zone, members] of Object.entries(spec.zones)) {
      if (members.length === 0) issues.push(issueError('zone-regions', `zones.${zone}`, `zone '${zone}' lists no region`));
      const regimes = new Set(members.map((code) => findRegion(code)?.regulatoryZone).filter((regime) => regime !== undefined));
      if (regimes.size > 1) {
        issues.push(issueWarning('zone-regions', `zones.${zone}`, `zone '${zone}' mixes regulatory regimes (${[...regimes].join(', ')})`));
      }
    }
    return issues;
  },
};

export const residencyZoneDefined: SpecRule = {
  id: 'residency-zone',
  description: 'A resident class names a zone defined under `zones`, and the spec has a region in it.',
  check(spec) {
    const issues: SpecIssue[] = [];
    for (const dataClass of spec.data) {
      if (!dataClass.residency) continue;
      const zone = spec.zones[dataClass.residency];
      const path = `data.${dataClass.name}.residency`;
      if (!zone) {
        const known = Object.keys(spec.zones);
        issues.push(issueError('residency-zone', path, `zone '${dataClass.residency}' is not defined under zones${known.length ? ` (defined: ${known.join(', ')})` : ''}`));
      } else if (!spec.regions.some((region) => zone.includes(region.code))) {
        issues.push(issueError('residency-zone', path, `no region of the spec is in zone '${dataClass.residency}'`));
      }
    }
    return issues;
  },
};

export const residencyReplicasInZone: SpecRule = {
  id: 'residency-replicas',
  description: 'Replicas and witness of a resident class stay inside its zone.',
  check(spec) {
    const issues: SpecIssue[] = [];
    for (const dataClass of spec.data) {
      const zone = dataClass.residency ? spec.zones[dataClass.residency] : undefined;
      if (!zone) continue;
      dataClass.replicas?.forEach((code, i) => {
        if (!zone.includes(code)) {
          issues.push(
            issueError('residency-replicas', `data.${dataClass.name}.replicas[${i}]`, `resident data would be replicated to ${code}, outside zone '${dataClass.residency}' (${zone.join(', ')})`),
          );
        }
      });
      if (dataClass.witness && !zone.includes(dataClass.witness)) {
        issues.push(issueError('residency-replicas', `data.${dataClass.name}.witness`, `witness ${dataClass.witness} is outside zone '${dataClass.residency}'`));
      }
    }
    return issues;
  },
};

export const strongOnLastWriterWins: SpecRule = {
  id: 'strong-engine',
  description: 'Strong data is never multi-writer last-writer-wins, nor asynchronously replicated across regions.',
  check(spec) {
    const issues: SpecIssue[] = [];
    for (const dataClass of spec.data) {
      if (dataClass.consistency !== 'strong') continue;
      const path = `data.${dataClass.name}.engine`;
      const replicated = replicaRegions(spec, dataClass).length > 1;
      if (dataClass.engine === 'dynamodb-global-table' && replicated) {
        issues.push(
          issueError('strong-engine', path, 'strong data cannot be multi-writer on last-writer-wins (dynamodb-global-table): concurrent writes in two regions silently overwrite acknowledged writes; use dynamodb-mrsc'),
        );
      }
      if (dataClass.engine === 'aurora-global-database' && replicated) {
        issues.push(
          issueError('strong-engine', path, 'strong data cannot be on an asynchronous global database (aurora-global-database): a failover loses the replication lag of acknowledged writes'),
        );
      }
    }
    return issues;
  },
};

export const multiWriterEngine: SpecRule = {
  id: 'multi-writer-engine',
  description: 'Multi-writer data is not placed on a single-writer engine.',
  check(spec) {
    return spec.data
      .filter((dataClass) => dataClass.consistency === 'multi-writer' && dataClass.engine === 'aurora-global-database')
      .map((dataClass) =>
        issueError('multi-writer-engine', `data.${dataClass.name}.engine`, 'multi-writer data cannot be on aurora-global-database, which takes writes in one region only'),
      );
  },
};

export const auroraSecondaries: SpecRule = {
  id: 'aurora-secondaries',
  description: 'An Aurora global database has at most 10 secondary regions.',
  check(spec) {
    const maximum = SERVICE_LEVELS.aurora_global_database.secondary_regions_max;
    return spec.data
      .filter((dataClass) => dataClass.engine === 'aurora-global-database')
      .flatMap((dataClass) => {
        const secondaries = replicaRegions(spec, dataClass).length - 1;
        if (secondaries <= maximum) return [];
        const path = dataClass.replicas ? `data.${dataClass.name}.replicas` : `data.${dataClass.name}`;
        return [issueError('aurora-secondaries', path, `single-writer data on an Aurora global database has ${secondaries} secondary regions; Aurora allows at most ${maximum}`)];
      });
  },
};

export const mrscRegionSet: SpecRule = {
  id: 'mrsc-region-set',
  description: 'Strong data replicated across regions fits DynamoDB MRSC: 3 regions of one region set, or 2 plus a witness.',
  check(spec) {
    const issues: SpecIssue[] = [];
    const sets = SERVICE_LEVELS.dynamodb_global_tables_mrsc.region_sets;
    const setsText = Object.entries(sets).map(([name, codes]) => `${name}: ${codes.join(', ')}`).join('; ');
    for (const dataClass of spec.data) {
      if (dataClass.witness && !dataClass.replicas) {
        issues.push(issueError('mrsc-region-set', `data.${dataClass.name}.witness`, 'a witness needs the two replicas it serves: list them under replicas'));
        continue;
      }
      if (dataClass.consistency !== 'strong' || dataClass.engine !== 'dynamodb-mrsc' || !dataClass.replicas) continue;
      const replicas = dataClass.replicas;
      const members = dataClass.witness ? [...replicas, dataClass.witness] : replicas;
      const path = `data.${dataClass.name}.replicas`;
      if (replicas.length <= 1 && !dataClass.witness) continue;
      if (dataClass.witness && replicas.includes(dataClass.witness)) {
        issues.push(issueError('mrsc-region-set', `data.${dataClass.name}.witness`, 'the witness must be a region other than the replicas'));
      } else if (dataClass.witness ? replicas.length !== 2 : replicas.length !== 3) {
        const shape = dataClass.witness ? `${replicas.length} replicas and a witness` : `${replicas.length} replicas`;
        issues.push(issueError('mrsc-region-set', path, `strongly consistent multi-region data needs exactly 3 replicas, or 2 plus a witness; got ${shape}`));
      } else if (!mrscRegionSetOf(members)) {
        issues.push(issueError('mrsc-region-set', path, `${members.join(', ')} are not in one MRSC region set (${setsText})`));
      }
    }
    return issues;
  },
};
