import type { UserStatus } from '../graphql/gql/graphql.js';
import { STATUS_LABELS } from './format.js';

/** A coloured dot with the status as its accessible name. */
export const StatusDot = (props: { status: UserStatus }) => (
  <span
    class={`status-dot status-${props.status.toLowerCase()}`}
    role="img"
    aria-label={STATUS_LABELS[props.status]}
    title={STATUS_LABELS[props.status]}
  />
);
