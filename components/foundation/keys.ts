/** Purposes the foundation creates a customer-managed key for (see `EncryptionKeys`). */
export type KeyPurpose = "clusterSecrets" | "database" | "backups";
export const KEY_PURPOSES: readonly KeyPurpose[] = ["clusterSecrets", "database", "backups"];

/** Child role of each key (its logical name suffix). */
export const KEY_ROLES: Record<KeyPurpose, string> = {
  clusterSecrets: "cluster-secrets-key",
  database: "database-key",
  backups: "backups-key",
};

export const KEY_DESCRIPTIONS: Record<KeyPurpose, string> = {
  clusterSecrets: "Envelope encryption of Kubernetes Secrets",
  database: "Encryption at rest of managed databases and caches",
  backups: "Encryption of backup buckets and snapshots",
};
