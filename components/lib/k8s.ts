import type * as k8s from "@pulumi/kubernetes";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** Unprivileged UID/GID used when an image does not declare one (matches the seeds' non-root users). */
export const DEFAULT_RUN_AS_USER = 10001;

/**
 * Pod-level settings of the Kubernetes "restricted" Pod Security Standard: non-root, RuntimeDefault
 * seccomp, fsGroup so mounted volumes are writable by the unprivileged user.
 */
export function restrictedPodSecurityContext(runAsUser = DEFAULT_RUN_AS_USER): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser,
    runAsGroup: runAsUser,
    fsGroup: runAsUser,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level restricted settings: no escalation, all capabilities dropped, read-only root FS. */
export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
  };
}

/** A memory-backed-free emptyDir for /tmp, so a read-only root filesystem still lets programs write temp files. */
export function tmpVolume(name = "tmp", sizeLimit = "64Mi"): {
  volume: k8s.types.input.core.v1.Volume;
  mount: k8s.types.input.core.v1.VolumeMount;
} {
  return {
    volume: { name, emptyDir: { sizeLimit } },
    mount: { name, mountPath: "/tmp" },
  };
}
