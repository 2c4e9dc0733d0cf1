package org.intravis.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Offline checks of Kubernetes manifests, without a cluster: each document is read into the Kubernetes API's own
 * types (fabric8's model, generated from the API's OpenAPI schema), so a field the API does not have, or a value of
 * the wrong type, is found; then what the API server would accept but would not work: a selector that matches no
 * pod, a mount of a volume that is not there, a reference to a port, ConfigMap, Secret or claim that nobody makes,
 * an extended resource (a GPU) requested without its limit.
 */
final class ManifestChecks {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1 Deployment", Deployment.class,
            "v1 Service", Service.class,
            "v1 ConfigMap", ConfigMap.class,
            "v1 Secret", Secret.class,
            "v1 PersistentVolumeClaim", PersistentVolumeClaim.class);

    private final List<HasMetadata> objects = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    /** Reads a multi-document YAML stream (what {@code kubectl kustomize} prints) and checks it. */
    static ManifestChecks of(String yaml, Set<String> madeElsewhere) throws Exception {
        ManifestChecks c = new ManifestChecks();
        for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml).readAll()) {
            if (doc == null || doc.isNull() || doc.isEmpty()) {
                continue;
            }
            String kind = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
            Class<? extends HasMetadata> type = KINDS.get(kind);
            if (type == null) {
                c.problems.add(kind + ": not a kind these checks know (add its model class)");
                continue;
            }
            HasMetadata o;
            try {
                o = JSON.treeToValue(doc, type);
            } catch (Exception e) {
                c.problems.add(kind + " " + doc.path("metadata").path("name").asText() + ": " + e.getMessage());
                continue;
            }
            c.unknownFields(o, kind + " " + o.getMetadata().getName(), 0);
            c.objects.add(o);
        }
        c.references(madeElsewhere);
        return c;
    }

    List<String> problems() {
        return problems;
    }

    List<HasMetadata> objects() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Fields the API's types do not have land in their additionalProperties: each one is a mistake. */
    private void unknownFields(Object o, String path, int depth) {
        if (o == null || depth > 40 || o instanceof String || o instanceof Number || o instanceof Boolean
                || o instanceof Enum<?>) {
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, depth + 1));
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object v : list) {
                unknownFields(v, path + "[" + i++ + "]", depth + 1);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(path + "." + m.getName(), e);
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                unknownFields(v, path + "." + field, depth + 1);
            }
        }
    }

    private void references(Set<String> madeElsewhere) {
        Set<String> configMaps = names(ConfigMap.class);
        Set<String> secrets = names(Secret.class);
        Set<String> claims = names(PersistentVolumeClaim.class);
        List<PodTemplateSpec> pods = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            String where = "Deployment " + d.getMetadata().getName();
            PodTemplateSpec t = d.getSpec().getTemplate();
            pods.add(t);
            Map<String, String> selector = d.getSpec().getSelector() == null ? null
                    : d.getSpec().getSelector().getMatchLabels();
            if (selector == null || selector.isEmpty()) {
                problems.add(where + ": no selector.matchLabels");
            } else if (!labels(t).entrySet().containsAll(selector.entrySet())) {
                problems.add(where + ": selector " + selector + " does not match its pod labels " + labels(t));
            }
            pod(where, t.getSpec(), configMaps, secrets, claims, madeElsewhere);
        }
        for (Service s : all(Service.class)) {
            String where = "Service " + s.getMetadata().getName();
            Map<String, String> selector = s.getSpec().getSelector();
            List<PodTemplateSpec> selected = pods.stream()
                    .filter(p -> selector != null && !selector.isEmpty() && labels(p).entrySet().containsAll(selector.entrySet()))
                    .toList();
            if (selected.isEmpty()) {
                problems.add(where + ": selector " + selector + " matches no pod of these manifests");
                continue;
            }
            for (ServicePort port : s.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort() == null ? new IntOrString(port.getPort()) : port.getTargetPort();
                for (PodTemplateSpec p : selected) {
                    boolean found = containers(p.getSpec()).flatMap(c -> c.getPorts().stream()).anyMatch(cp -> is(cp, target));
                    if (!found) {
                        problems.add(where + ": targetPort " + value(target) + " is not a port of the pods it selects");
                    }
                }
            }
        }
    }

    private void pod(String where, PodSpec spec, Set<String> configMaps, Set<String> secrets, Set<String> claims,
                     Set<String> madeElsewhere) {
        Set<String> volumes = new HashSet<>();
        for (Volume v : spec.getVolumes()) {
            volumes.add(v.getName());
            if (v.getConfigMap() != null) {
                need(where, "ConfigMap", v.getConfigMap().getName(), configMaps, madeElsewhere);
            }
            if (v.getSecret() != null) {
                need(where, "Secret", v.getSecret().getSecretName(), secrets, madeElsewhere);
            }
            if (v.getPersistentVolumeClaim() != null) {
                need(where, "PersistentVolumeClaim", v.getPersistentVolumeClaim().getClaimName(), claims, madeElsewhere);
            }
        }
        containers(spec).forEach(c -> {
            String at = where + " container " + c.getName();
            if (c.getName() == null || c.getName().isBlank() || c.getImage() == null || c.getImage().isBlank()) {
                problems.add(at + ": needs a name and an image");
            }
            for (VolumeMount m : c.getVolumeMounts()) {
                if (!volumes.contains(m.getName())) {
                    problems.add(at + ": mounts volume '" + m.getName() + "', which the pod does not have");
                }
            }
            for (EnvVar e : c.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    need(at, "Secret", e.getValueFrom().getSecretKeyRef().getName(), secrets, madeElsewhere);
                }
            }
            for (Probe p : Stream.of(c.getReadinessProbe(), c.getLivenessProbe(), c.getStartupProbe())
                    .filter(Objects::nonNull).toList()) {
                IntOrString port = p.getHttpGet() != null ? p.getHttpGet().getPort()
                        : p.getTcpSocket() != null ? p.getTcpSocket().getPort()
                        : p.getGrpc() != null ? new IntOrString(p.getGrpc().getPort()) : null;
                if (port != null && c.getPorts().stream().noneMatch(cp -> is(cp, port))) {
                    problems.add(at + ": a probe uses port " + value(port) + ", which the container does not declare");
                }
            }
            if (c.getResources() != null) {
                Map<String, Quantity> requests = c.getResources().getRequests();
                Map<String, Quantity> limits = c.getResources().getLimits();
                for (String r : requests.keySet()) {
                    // extended resources (nvidia.com/gpu, a device plugin's) are not overcommitted: the API wants
                    // the limit, equal to the request
                    if (r.contains("/") && !r.startsWith("kubernetes.io/")
                            && !Objects.equals(requests.get(r), limits.get(r))) {
                        problems.add(at + ": extended resource " + r + " requested without an equal limit");
                    }
                }
            }
        });
    }

    private void need(String where, String kind, String name, Set<String> made, Set<String> madeElsewhere) {
        if (!made.contains(name) && !madeElsewhere.contains(name)) {
            problems.add(where + ": refers to " + kind + " '" + name + "', which nobody makes");
        }
    }

    private Set<String> names(Class<? extends HasMetadata> type) {
        Set<String> s = new HashSet<>();
        all(type).forEach(o -> s.add(o.getMetadata().getName()));
        return s;
    }

    static Stream<Container> containers(PodSpec spec) {
        return Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream());
    }

    private static Map<String, String> labels(PodTemplateSpec t) {
        return t.getMetadata() == null || t.getMetadata().getLabels() == null ? Map.of() : t.getMetadata().getLabels();
    }

    private static boolean is(ContainerPort cp, IntOrString port) {
        return port.getStrVal() != null ? port.getStrVal().equals(cp.getName())
                : Objects.equals(port.getIntVal(), cp.getContainerPort());
    }

    private static String value(IntOrString p) {
        return p.getStrVal() != null ? "'" + p.getStrVal() + "'" : String.valueOf(p.getIntVal());
    }
}
