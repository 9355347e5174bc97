namespace Brokkr.Tests.Broker.Templates;

/// <summary>
/// A realistic template — ConfigMap, Deployment and Service of one web service, with loops over lists and maps,
/// conditionals, set, defaults and the common filters — its schema, parameters, and the exact YAML they render to.
/// </summary>
public static class WebServiceTemplate
{
    public const string Content = """
        {# One web service: its configuration, its pods and its Service. -#}
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {{ name }}-config
          namespace: {{ namespace | default(value="default") }}
          labels:
            app: {{ name }}
        {%- for key, value in labels %}
            {{ key }}: {{ value | quote }}
        {%- endfor %}
        data:
        {%- for key, value in config %}
          {{ key }}: {{ value | quote }}
        {%- endfor %}
          settings.json: {{ settings | json_encode | quote }}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ name }}
          namespace: {{ namespace | default(value="default") }}
        spec:
          replicas: {{ replicas }}
          selector:
            matchLabels:
              app: {{ name }}
          template:
            metadata:
              labels:
                app: {{ name }}
            spec:
              containers:
                - name: {{ name }}
                  image: {{ image.repository }}:{{ image.tag | default(value="latest") }}
                  ports:
        {%- for port in ports %}
                    - name: {{ port.name | lower }}
                      containerPort: {{ port.number }}
        {%- endfor %}
        {%- if env %}
                  env:
        {%- for item in env %}
                    - name: {{ item.name | upper | replace(from="-", to="_") }}
                      value: {{ item.value | quote }}
        {%- endfor %}
        {%- endif %}
        {%- if resources %}
                  resources:
                    limits:
                      cpu: {{ resources.cpu }}
                      memory: {{ resources.memory }}
        {%- elif profile == "small" %}
                  resources:
                    limits:
                      cpu: 100m
        {%- else %}
                  resources: {}
        {%- endif %}
                  envFrom:
                    - configMapRef:
                        name: {{ name }}-config
        {%- set service_type = service_type | default(value="ClusterIP") %}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: {{ name }}
          namespace: {{ namespace | default(value="default") }}
        spec:
          type: {{ service_type }}
          selector:
            app: {{ name }}
          ports:
        {%- for port in ports %}
            - name: {{ port.name | lower }}
              port: {{ port.service_port | default(value=port.number) }}
              targetPort: {{ port.number }}
        {%- endfor %}

        """;

    public const string Schema = """
        {
          "type": "object",
          "required": ["name", "image", "replicas", "ports"],
          "properties": {
            "name": { "type": "string", "pattern": "^[a-z][a-z0-9-]{0,62}$" },
            "namespace": { "type": "string" },
            "replicas": { "type": "integer", "minimum": 1, "maximum": 20 },
            "image": { "type": "object", "required": ["repository"], "properties": { "repository": { "type": "string" }, "tag": { "type": "string" } } },
            "ports": { "type": "array", "minItems": 1, "items": { "type": "object", "required": ["name", "number"] } },
            "profile": { "enum": ["small", "large"] }
          }
        }
        """;

    public static readonly object Parameters = new
    {
        name = "shop",
        @namespace = "retail",
        replicas = 3,
        image = new { repository = "registry.example/shop", tag = "1.27.0" },
        labels = new { tier = "frontend", team = "web" },
        config = new Dictionary<string, string> { ["LOG_LEVEL"] = "info", ["GREETING"] = "hello: world" },
        settings = new { timeout = 30, features = new object[] { "cart", true } },
        ports = new object[] { new { name = "HTTP", number = 8080, service_port = 80 }, new { name = "Metrics", number = 9090 } },
        env = new[] { new { name = "feature-flags", value = "a,b" } },
        profile = "small",
    };

    public const string Expected = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shop-config
          namespace: retail
          labels:
            app: shop
            team: "web"
            tier: "frontend"
        data:
          GREETING: "hello: world"
          LOG_LEVEL: "info"
          settings.json: "{\"features\":[\"cart\",true],\"timeout\":30}"
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: shop
          namespace: retail
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: shop
          template:
            metadata:
              labels:
                app: shop
            spec:
              containers:
                - name: shop
                  image: registry.example/shop:1.27.0
                  ports:
                    - name: http
                      containerPort: 8080
                    - name: metrics
                      containerPort: 9090
                  env:
                    - name: FEATURE_FLAGS
                      value: "a,b"
                  resources:
                    limits:
                      cpu: 100m
                  envFrom:
                    - configMapRef:
                        name: shop-config
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: shop
          namespace: retail
        spec:
          type: ClusterIP
          selector:
            app: shop
          ports:
            - name: http
              port: 80
              targetPort: 8080
            - name: metrics
              port: 9090
              targetPort: 9090

        """;
}
