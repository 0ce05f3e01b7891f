import { describeBackupDestinations } from "./features/backup-destinations";
import { describeDockerProd } from "./features/docker-prod";
import { describeKafka } from "./features/kafka";
import { describeLogging } from "./features/logging";
import { describeLogicalBackups } from "./features/logical-backups";
import { describeRedisCluster } from "./features/redis-cluster";
import { buildFeatureStacks, type FeatureStacks } from "./features/stacks";
import { describeTracing } from "./features/tracing";

/**
 * The stack-level tests of the optional features (tests/stacks/features/<feature>.ts), on the bundled stacks with
 * those features on. The stacks are built once, here, for all of them (see ./features/stacks.ts); each feature's
 * file holds its assertions and its bad-input cases. Run one feature with `npx jest tests/stacks/features -t kafka`.
 */
const stacks = {} as FeatureStacks;
beforeAll(async () => {
  Object.assign(stacks, await buildFeatureStacks());
}, 240_000);

describeLogicalBackups(stacks);
describeRedisCluster(stacks);
describeLogging(stacks);
describeTracing(stacks);
describeKafka(stacks);
describeBackupDestinations(stacks);
describeDockerProd(stacks);
