/**
 * Tag keys shared by the constructs. Cost-allocation tags (`meridian:region`, `meridian:data-class`) are also
 * how the AWS FIS templates find their targets, so the keys live in one place.
 */
export const REGION_TAG_KEY = 'meridian:region';
export const DATA_CLASS_TAG_KEY = 'meridian:data-class';
/** On the subnets that hold the application's tasks; the value is the service name. */
export const APP_SUBNETS_TAG_KEY = 'meridian:app-subnets';
