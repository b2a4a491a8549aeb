import { Duration, Validations } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import type { RegionalEndpoint } from './regional-endpoint.ts';
import { SynthRefusal } from './synth-errors.ts';
import type { SynthRegion } from './synth-plan.ts';

/** The primary's answers that send a request to the fallback origin: server errors and unreachable origins. */
export const FALLBACK_STATUS_CODES: readonly number[] = [500, 502, 503, 504];

export type CdnOrigin = Pick<RegionalEndpoint, 'region' | 'dnsName'>;

export interface CloudFrontEdgeProps {
  /** The primary region's load balancer. */
  readonly primary: CdnOrigin;
  /** The failover region's load balancer (see `cdnOriginRegions`). */
  readonly fallback: CdnOrigin;
  /**
   * The API's answers are dynamic, so nothing is cached unless asked for.
   * @default cloudfront.CachePolicy.CACHING_DISABLED
   */
  readonly cachePolicy?: cloudfront.ICachePolicy;
  /**
   * Query strings, cookies and headers reach the ALB; the Host header stays the origin's.
   * @default cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER
   */
  readonly originRequestPolicy?: cloudfront.IOriginRequestPolicy;
  /** @default FALLBACK_STATUS_CODES (500, 502, 503, 504) */
  readonly fallbackStatusCodes?: readonly number[];
  /**
   * How long CloudFront waits to connect to an origin, per attempt. With one attempt of 5 s an unreachable
   * primary fails over in about 5 s instead of CloudFront's default 3 × 10 s.
   * @default Duration.seconds(5)
   */
  readonly originConnectionTimeout?: Duration;
  /** @default 1 */
  readonly originConnectionAttempts?: number;
  /**
   * Alternate names such as `api.<domain>`; they need a certificate from us-east-1.
   * @default - the distribution answers on its cloudfront.net name only
   */
  readonly domainNames?: readonly string[];
  /** @default - none (required with `domainNames`) */
  readonly certificate?: acm.ICertificate;
  /** @default cloudfront.PriceClass.PRICE_CLASS_ALL */
  readonly priceClass?: cloudfront.PriceClass;
}

/**
 * A CloudFront distribution in front of two regions: the default behaviour's origin is an origin group
 * (primary region's ALB, then the failover region's ALB when the primary answers 500/502/503/504 or cannot
 * be reached). CloudFront fails over only GET, HEAD and OPTIONS requests and refuses other methods on an
 * origin group's behaviour, so the behaviour allows exactly those; writes need another path (the
 * accelerator or Route 53). Viewers are redirected to HTTPS; the ALBs are reached over HTTP (their only
 * listener).
 */
export class CloudFrontEdge extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: CloudFrontEdgeProps) {
    super(scope, id);
    const origin = (endpoint: CdnOrigin) =>
      new origins.HttpOrigin(endpoint.dnsName, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
        connectionTimeout: props.originConnectionTimeout ?? Duration.seconds(5),
        connectionAttempts: props.originConnectionAttempts ?? 1,
        originId: `alb-${endpoint.region}`,
      });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `API in ${props.primary.region}, fails over to ${props.fallback.region}`,
      defaultBehavior: {
        origin: new origins.OriginGroup({
          primaryOrigin: origin(props.primary),
          fallbackOrigin: origin(props.fallback),
          fallbackStatusCodes: [...(props.fallbackStatusCodes ?? FALLBACK_STATUS_CODES)],
        }),
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD_OPTIONS,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: props.cachePolicy ?? cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: props.originRequestPolicy ?? cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      ...(props.domainNames === undefined ? {} : { domainNames: [...props.domainNames] }),
      ...(props.certificate === undefined ? {} : { certificate: props.certificate, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 }),
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_ALL,
    });
    acknowledgeNagFindings(this.distribution, props.certificate !== undefined);
  }
}

/**
 * The origin group's regions: the plan's primary, then the first standby region (an active-passive
 * architecture's failover target), else the first other serving region.
 */
export function cdnOriginRegions(primaryRegion: string, regions: readonly SynthRegion[]): { readonly primary: string; readonly fallback: string } {
  const others = regions.filter((region) => region.region !== primaryRegion);
  const fallback = others.find((region) => region.role === 'standby') ?? others.find((region) => region.role === 'serving');
  if (fallback === undefined) {
    throw new SynthRefusal('origin-regions', `the CDN edge needs a second region to fail over to; the plan routes to ${primaryRegion} only`);
  }
  return { primary: primaryRegion, fallback: fallback.region };
}

function acknowledgeNagFindings(distribution: cloudfront.Distribution, hasCertificate: boolean): void {
  const validations = Validations.of(distribution);
  validations.acknowledge(
    { id: 'AwsSolutions-CFR1', reason: 'The API serves every country; residency is enforced on the data, not by geo restriction at the edge.' },
    { id: 'AwsSolutions-CFR2', reason: 'No WAF web ACL in the generated app: a web ACL for CloudFront must live in us-east-1 and its rules are the operator\'s choice.' },
    { id: 'AwsSolutions-CFR3', reason: 'Standard logging needs an ACL-enabled bucket; the ALBs of every region already keep access logs.' },
    { id: 'AwsSolutions-CFR5', reason: 'The ALB origins have an HTTP listener only (no certificate in the generated app); viewers still use HTTPS.' },
  );
  if (!hasCertificate) {
    validations.acknowledge({ id: 'AwsSolutions-CFR4', reason: 'Without alternate domain names the distribution uses the default cloudfront.net certificate, whose TLS policy cannot be changed.' });
  }
}
