// core/v1 Volume and the volume sources kubelite's users write.
import {
  atomicList,
  bool,
  coreV1,
  int32,
  int64,
  obj,
  quantityMap,
  ref,
  type Schema,
  str,
  strList,
  strMap,
} from './schema.js';

const c = (name: string) => `${coreV1}${name}`;

export const volumeSchemas: Record<string, Schema> = {
  [c('Volume')]: obj(
    'Volume represents a named volume in a pod that may be accessed by any container in the pod.',
    {
      configMap: ref(
        c('ConfigMapVolumeSource'),
        'configMap represents a configMap that should populate this volume',
      ),
      csi: ref(
        c('CSIVolumeSource'),
        'csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.',
      ),
      downwardAPI: ref(
        c('DownwardAPIVolumeSource'),
        'downwardAPI represents downward API about the pod that should populate this volume',
      ),
      emptyDir: ref(
        c('EmptyDirVolumeSource'),
        "emptyDir represents a temporary directory that shares a pod's lifetime. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir",
      ),
      ephemeral: ref(
        c('EphemeralVolumeSource'),
        'ephemeral represents a volume that is handled by a cluster storage driver.',
      ),
      hostPath: ref(
        c('HostPathVolumeSource'),
        'hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath',
      ),
      image: ref(
        c('ImageVolumeSource'),
        "image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine.",
      ),
      name: str(
        'name of the volume. Must be a DNS_LABEL and unique within the pod. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names',
      ),
      nfs: ref(
        c('NFSVolumeSource'),
        "nfs represents an NFS mount on the host that shares a pod's lifetime More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs",
      ),
      persistentVolumeClaim: ref(
        c('PersistentVolumeClaimVolumeSource'),
        'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims',
      ),
      projected: ref(
        c('ProjectedVolumeSource'),
        'projected items for all in one resources secrets, configmaps, and downward API',
      ),
      secret: ref(
        c('SecretVolumeSource'),
        'secret represents a secret that should populate this volume. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret',
      ),
    },
    { required: ['name'] },
  ),
  [c('CSIVolumeSource')]: obj(
    'Represents a source location of a volume to mount, managed by an external CSI driver',
    {
      driver: str('driver is the name of the CSI driver that handles this volume.'),
      fsType: str('fsType to mount. Ex. "ext4", "xfs", "ntfs".'),
      nodePublishSecretRef: ref(
        c('LocalObjectReference'),
        'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver.',
      ),
      readOnly: bool(
        'readOnly specifies a read-only configuration for the volume. Defaults to false (read/write).',
      ),
      volumeAttributes: strMap(
        'volumeAttributes stores driver-specific properties that are passed to the CSI driver.',
      ),
    },
    { required: ['driver'] },
  ),
  [c('DownwardAPIVolumeSource')]: obj(
    'DownwardAPIVolumeSource represents a volume containing downward API info.',
    {
      defaultMode: int32('Optional: mode bits to use on created files by default.'),
      items: atomicList(c('DownwardAPIVolumeFile'), 'Items is a list of downward API volume file'),
    },
  ),
  [c('DownwardAPIVolumeFile')]: obj(
    'DownwardAPIVolumeFile represents information to create the file containing the pod field',
    {
      fieldRef: ref(
        c('ObjectFieldSelector'),
        'Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.',
      ),
      mode: int32('Optional: mode bits used to set permissions on this file.'),
      path: str(
        "Required: Path is  the relative path name of the file to be created. Must not be absolute or contain the '..' path.",
      ),
      resourceFieldRef: ref(
        c('ResourceFieldSelector'),
        'Selects a resource of the container: only resources limits and requests are currently supported.',
      ),
    },
    { required: ['path'] },
  ),
  [c('DownwardAPIProjection')]: obj('Represents downward API info for projecting into a projected volume.', {
    items: atomicList(c('DownwardAPIVolumeFile'), 'Items is a list of DownwardAPIVolume file'),
  }),
  [c('EphemeralVolumeSource')]: obj(
    'Represents an ephemeral volume that is handled by a normal storage driver.',
    {
      volumeClaimTemplate: ref(
        c('PersistentVolumeClaimTemplate'),
        'Will be used to create a stand-alone PVC to provision the volume.',
      ),
    },
  ),
  [c('PersistentVolumeClaimTemplate')]: obj(
    'PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource.',
    {
      metadata: ref(
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        'May contain labels and annotations that will be copied into the PVC when creating it.',
      ),
      spec: ref(c('PersistentVolumeClaimSpec'), 'The specification for the PersistentVolumeClaim.'),
    },
    { required: ['spec'] },
  ),
  [c('PersistentVolumeClaimSpec')]: obj(
    'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes',
    {
      accessModes: strList('accessModes contains the desired access modes the volume should have.'),
      dataSource: ref(
        c('TypedLocalObjectReference'),
        'dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim.',
      ),
      dataSourceRef: ref(
        c('TypedObjectReference'),
        'dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired.',
      ),
      resources: ref(
        c('VolumeResourceRequirements'),
        'resources represents the minimum resources the volume should have.',
      ),
      selector: ref(
        'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
        'selector is a label query over volumes to consider for binding.',
      ),
      storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
      volumeAttributesClassName: str(
        'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.',
      ),
      volumeMode: str(
        'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.',
      ),
      volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
    },
  ),
  [c('VolumeResourceRequirements')]: obj(
    'VolumeResourceRequirements describes the storage resource requirements for a volume.',
    {
      limits: quantityMap('Limits describes the maximum amount of compute resources allowed.'),
      requests: quantityMap('Requests describes the minimum amount of compute resources required.'),
    },
  ),
  [c('TypedLocalObjectReference')]: obj(
    'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.',
    {
      apiGroup: str('APIGroup is the group for the resource being referenced.'),
      kind: str('Kind is the type of resource being referenced'),
      name: str('Name is the name of resource being referenced'),
    },
    { required: ['kind', 'name'], extra: { 'x-kubernetes-map-type': 'atomic' } },
  ),
  [c('TypedObjectReference')]: obj(
    'TypedObjectReference contains enough information to let you locate the typed referenced object',
    {
      apiGroup: str('APIGroup is the group for the resource being referenced.'),
      kind: str('Kind is the type of resource being referenced'),
      name: str('Name is the name of resource being referenced'),
      namespace: str('Namespace is the namespace of resource being referenced'),
    },
    { required: ['kind', 'name'] },
  ),
  [c('ImageVolumeSource')]: obj('ImageVolumeSource represents a image volume resource.', {
    pullPolicy: str('Policy for pulling OCI objects. Possible values are: Always, Never, IfNotPresent.'),
    reference: str('Required: Image or artifact reference to be used.'),
  }),
  [c('NFSVolumeSource')]: obj(
    'Represents an NFS mount that lasts the lifetime of a pod. NFS volumes do not support ownership management or SELinux relabeling.',
    {
      path: str('path that is exported by the NFS server.'),
      readOnly: bool(
        'readOnly here will force the NFS export to be mounted with read-only permissions. Defaults to false.',
      ),
      server: str('server is the hostname or IP address of the NFS server.'),
    },
    { required: ['server', 'path'] },
  ),
  [c('PersistentVolumeClaimVolumeSource')]: obj(
    "PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace.",
    {
      claimName: str(
        'claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.',
      ),
      readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts. Default false.'),
    },
    { required: ['claimName'] },
  ),
  [c('ProjectedVolumeSource')]: obj('Represents a projected volume source', {
    defaultMode: int32('defaultMode are the mode bits used to set permissions on created files by default.'),
    sources: atomicList(
      c('VolumeProjection'),
      'sources is the list of volume projections. Each entry in this list handles one source.',
    ),
  }),
  [c('VolumeProjection')]: obj(
    'Projection that may be projected along with other supported volume types. Exactly one of these fields must be set.',
    {
      configMap: ref(c('ConfigMapProjection'), 'configMap information about the configMap data to project'),
      downwardAPI: ref(
        c('DownwardAPIProjection'),
        'downwardAPI information about the downwardAPI data to project',
      ),
      secret: ref(c('SecretProjection'), 'secret information about the secret data to project'),
      serviceAccountToken: ref(
        c('ServiceAccountTokenProjection'),
        'serviceAccountToken is information about the serviceAccountToken data to project',
      ),
    },
  ),
  [c('ConfigMapProjection')]: obj('Adapts a ConfigMap into a projected volume.', {
    items: atomicList(
      c('KeyToPath'),
      'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume.',
    ),
    name: str('Name of the referent.'),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined'),
  }),
  [c('SecretProjection')]: obj('Adapts a secret into a projected volume.', {
    items: atomicList(
      c('KeyToPath'),
      'items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume.',
    ),
    name: str('Name of the referent.'),
    optional: bool('optional field specify whether the Secret or its key must be defined'),
  }),
  [c('ServiceAccountTokenProjection')]: obj(
    'ServiceAccountTokenProjection represents a projected service account token volume.',
    {
      audience: str('audience is the intended audience of the token.'),
      expirationSeconds: int64(
        'expirationSeconds is the requested duration of validity of the service account token.',
      ),
      path: str('path is the path relative to the mount point of the file to project the token into.'),
    },
    { required: ['path'] },
  ),
  [c('EmptyDirVolumeSource')]: obj(
    'Represents an empty directory for a pod. Empty directory volumes support ownership management and SELinux relabeling.',
    {
      medium: str(
        'medium represents what type of storage medium should back this directory. The default is "" which means to use the node\'s default medium.',
      ),
      sizeLimit: ref(
        'io.k8s.apimachinery.pkg.api.resource.Quantity',
        'sizeLimit is the total amount of local storage required for this EmptyDir volume.',
      ),
    },
  ),
  [c('HostPathVolumeSource')]: obj(
    'Represents a host path mapped into a pod. Host path volumes do not support ownership management or SELinux relabeling.',
    {
      path: str(
        'path of the directory on the host. If the path is a symlink, it will follow the link to the real path.',
      ),
      type: str('type for HostPath Volume Defaults to ""'),
    },
    { required: ['path'] },
  ),
  [c('KeyToPath')]: obj(
    'Maps a string key to a path within a volume.',
    {
      key: str('key is the key to project.'),
      mode: int32('mode is Optional: mode bits used to set permissions on this file.'),
      path: str('path is the relative path of the file to map the key to.'),
    },
    { required: ['key', 'path'] },
  ),
  [c('ConfigMapVolumeSource')]: obj('Adapts a ConfigMap into a volume.', {
    defaultMode: int32(
      'defaultMode is optional: mode bits used to set permissions on created files by default.',
    ),
    items: atomicList(
      c('KeyToPath'),
      'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume.',
    ),
    name: str('Name of the referent.'),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined'),
  }),
  [c('SecretVolumeSource')]: obj('Adapts a Secret into a volume.', {
    defaultMode: int32(
      'defaultMode is Optional: mode bits used to set permissions on created files by default.',
    ),
    items: atomicList(
      c('KeyToPath'),
      'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume.',
    ),
    optional: bool('optional field specify whether the Secret or its keys must be defined'),
    secretName: str("secretName is the name of the secret in the pod's namespace to use."),
  }),
};
