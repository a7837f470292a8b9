using RoostKeeper.Ha.Testing.Tests.Clients;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>A <see cref="KubectlCluster"/> whose cluster authorizes with RBAC; its kubeconfig (no credentials) is the admin.</summary>
public sealed class RbacKubectlCluster() : KubectlCluster(enableRbac: true);
