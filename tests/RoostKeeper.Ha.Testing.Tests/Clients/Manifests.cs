namespace RoostKeeper.Ha.Testing.Tests.Clients;

/// <summary>The YAML the real-client tests apply, as a user would write it.</summary>
internal static class Manifests
{
    public static string Deployment(string ns, string name, int replicas = 2, string image = "nginx:1.27") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: {ns}
          labels: {"{"}app: {name}{"}"}
        spec:
          replicas: {replicas}
          selector:
            matchLabels: {"{"}app: {name}{"}"}
          template:
            metadata:
              labels: {"{"}app: {name}{"}"}
            spec:
              containers:
              - name: web
                image: {image}
                ports:
                - containerPort: 80
                env:
                - name: MODE
                  value: blue
        """;

    public static string ConfigMap(string ns, string name, string value) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          namespace: {ns}
        data:
          key: {value}
        """;

    public const string CrontabDefinition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: crontabs.stable.example.com
        spec:
          group: stable.example.com
          scope: Namespaced
          names:
            plural: crontabs
            singular: crontab
            kind: CronTab
            shortNames: [ct]
            categories: [all]
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            additionalPrinterColumns:
            - name: Spec
              type: string
              jsonPath: .spec.cronSpec
            - name: Replicas
              type: integer
              jsonPath: .spec.replicas
            - name: Age
              type: date
              jsonPath: .metadata.creationTimestamp
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      cronSpec: {type: string}
                      image: {type: string}
                      replicas: {type: integer}
                  status:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
        """;

    public static string Crontab(string ns, string name, string extraSpecLine = "") => $"""
        apiVersion: stable.example.com/v1
        kind: CronTab
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          cronSpec: "*/5 * * * *"
          image: my-cron:1
          replicas: 3
          {extraSpecLine}
        """;

    /// <summary>A Job named <c>work</c> whose pod runs <paramref name="image"/> once; <paramref name="extraSpecLines"/> go into its spec.</summary>
    public static string Job(string ns, string image, string extraSpecLines = "") => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: work
          namespace: {ns}
        spec:
          {extraSpecLines}
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: work
                image: {image}
        """;
}
