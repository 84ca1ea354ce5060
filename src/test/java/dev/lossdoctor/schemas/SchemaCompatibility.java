package dev.lossdoctor.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a new version of a topic's schema breaks the parties that coded against the old one.
 *
 * <p>For an output topic (Loss Doctor writes, others read) the old consumers must still understand
 * every value: each property of the old schema is still there, with the same or a narrower type
 * (a number may become an integer, never the other way), a property that was required still is, a
 * fixed enum gains no value, and a range only shrinks. Two exceptions, by policy: new properties
 * are free (consumers ignore what they don't know), and the diagnosis codes may grow (consumers
 * tolerate an unknown code) but never lose one.
 *
 * <p>For the input topic (trainers write, Loss Doctor reads) old producers must still be accepted:
 * each old property is still accepted with the same or a wider type, no property becomes required,
 * an enum only grows, a range only widens, unknown fields stay allowed.
 *
 * <p>It compares what can be compared structurally: {@code type}, {@code enum}/{@code const},
 * {@code required}, {@code properties} (the root's and each {@code $defs} entry's, by name),
 * {@code items}, {@code additionalProperties}, numeric and length bounds, {@code pattern} and
 * {@code format}; local {@code $ref}s and {@code anyOf}/{@code oneOf} of alternatives are followed.
 */
public final class SchemaCompatibility {

    /** Who reads the values of the topic. */
    public enum Reader {
        /** Loss Doctor writes, consumers read: the new values must be readable by old consumers. */
        CONSUMERS,
        /** Producers write, Loss Doctor reads: the old producers' values must stay accepted. */
        LOSS_DOCTOR
    }

    /** Enums that may gain values (a documented policy), but never lose one. */
    private static final Set<String> EXTENSIBLE_ENUMS = Set.of("diagnosis_code");

    private final JsonNode oldRoot;
    private final JsonNode newRoot;
    private final Reader reader;
    private final List<String> breaks = new ArrayList<>();

    private SchemaCompatibility(JsonNode oldRoot, JsonNode newRoot, Reader reader) {
        this.oldRoot = oldRoot;
        this.newRoot = newRoot;
        this.reader = reader;
    }

    /** What in {@code newSchema} breaks the readers or writers of {@code oldSchema}; empty when compatible. */
    public static List<String> breaks(JsonNode oldSchema, JsonNode newSchema, Reader reader) {
        SchemaCompatibility c = new SchemaCompatibility(oldSchema, newSchema, reader);
        c.compare("", oldSchema, newSchema, false);
        JsonNode oldDefs = oldSchema.path("$defs");
        for (Iterator<String> it = oldDefs.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode now = newSchema.path("$defs").get(name);
            if (now == null) {
                c.breaks.add("/$defs/" + name + ": removed");
            } else {
                c.compare("/$defs/" + name, oldDefs.get(name), now, EXTENSIBLE_ENUMS.contains(name));
            }
        }
        return List.copyOf(c.breaks);
    }

    private void compare(String path, JsonNode oldNode, JsonNode newNode, boolean extensible) {
        JsonNode o = resolve(oldRoot, oldNode);
        JsonNode n = resolve(newRoot, newNode);
        if (o.isBoolean() || n.isBoolean()) {
            if (!o.equals(n) && (reader == Reader.CONSUMERS ? !o.asBoolean(true) : !n.asBoolean(true))) {
                breaks.add(path + ": now " + (reader == Reader.CONSUMERS ? "allows anything" : "allows nothing"));
            }
            return;
        }
        extensible |= isExtensibleRef(oldNode);
        compareTypes(path, o, n);
        compareEnums(path, o, n, extensible);
        compareRequired(path, o, n);
        compareBounds(path, o, n);
        if (!Objects.equals(o.get("pattern"), n.get("pattern")) && o.has("pattern")) {
            breaks.add(path + ": pattern changed from " + o.get("pattern") + " to " + n.get("pattern"));
        }
        if (!Objects.equals(o.get("format"), n.get("format")) && (reader == Reader.CONSUMERS ? o.has("format") : n.has("format"))) {
            breaks.add(path + ": format changed from " + o.get("format") + " to " + n.get("format"));
        }
        JsonNode oldProps = o.path("properties");
        for (Iterator<String> it = oldProps.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode now = n.path("properties").get(name);
            if (now == null) {
                if (reader == Reader.CONSUMERS || isClosed(n)) {
                    breaks.add(path + "/" + name + ": removed");
                }
            } else {
                compare(path + "/" + name, oldProps.get(name), now, false);
            }
        }
        if (o.has("items") && n.has("items")) {
            compare(path + "/items", o.get("items"), n.get("items"), false);
        }
        if (o.path("additionalProperties").isObject() && n.path("additionalProperties").isObject()) {
            compare(path + "/additionalProperties", o.get("additionalProperties"), n.get("additionalProperties"), false);
        }
        if (reader == Reader.LOSS_DOCTOR && !isClosed(o) && isClosed(n)) {
            breaks.add(path + ": no longer accepts other properties");
        }
        // alternatives named in both (anyOf/oneOf branches by position, e.g. a value or null)
        for (String key : List.of("anyOf", "oneOf")) {
            if (o.path(key).size() == n.path(key).size()) {
                for (int i = 0; i < o.path(key).size(); i++) {
                    JsonNode ob = o.get(key).get(i), nb = n.get(key).get(i);
                    if (ob.has("properties") || nb.has("properties")) {
                        compare(path + "/" + key + "/" + i, ob, nb, false);
                    }
                }
            }
        }
    }

    private void compareTypes(String path, JsonNode o, JsonNode n) {
        Set<String> oldTypes = types(oldRoot, o), newTypes = types(newRoot, n);
        if (oldTypes == null && newTypes == null) {
            return;
        }
        // CONSUMERS: every new type must be one the old schema allowed; LOSS_DOCTOR: every old one must still be allowed
        Set<String> must = reader == Reader.CONSUMERS ? newTypes : oldTypes;
        Set<String> within = reader == Reader.CONSUMERS ? oldTypes : newTypes;
        if (within == null) {
            return; // anything allowed there
        }
        if (must == null) {
            breaks.add(path + ": type " + oldTypes + " became untyped");
            return;
        }
        for (String t : must) {
            if (!within.contains(t) && !(t.equals("integer") && within.contains("number"))) {
                breaks.add(path + ": type " + oldTypes + " became " + newTypes);
                return;
            }
        }
    }

    private void compareEnums(String path, JsonNode o, JsonNode n, boolean extensible) {
        Set<JsonNode> oldValues = values(oldRoot, o), newValues = values(newRoot, n);
        if (oldValues == null && newValues == null) {
            return;
        }
        if (extensible || reader == Reader.LOSS_DOCTOR) {
            // values never go away
            if (oldValues != null && (newValues == null ? false : !newValues.containsAll(oldValues))) {
                Set<JsonNode> gone = new LinkedHashSet<>(oldValues);
                gone.removeAll(newValues);
                breaks.add(path + ": values removed " + gone);
            }
            return;
        }
        if (newValues == null) {
            breaks.add(path + ": was one of " + oldValues + ", now any value");
        } else if (oldValues != null && !oldValues.containsAll(newValues)) {
            Set<JsonNode> added = new LinkedHashSet<>(newValues);
            added.removeAll(oldValues);
            breaks.add(path + ": values added to a fixed enum " + added);
        }
    }

    private void compareRequired(String path, JsonNode o, JsonNode n) {
        Set<String> oldRequired = strings(o.get("required")), newRequired = strings(n.get("required"));
        if (reader == Reader.CONSUMERS) {
            for (String r : oldRequired) {
                if (!newRequired.contains(r)) {
                    breaks.add(path + "/" + r + ": no longer required (old consumers expect it)");
                }
            }
        } else {
            for (String r : newRequired) {
                if (!oldRequired.contains(r)) {
                    breaks.add(path + "/" + r + ": newly required (old producers don't send it)");
                }
            }
        }
    }

    private void compareBounds(String path, JsonNode o, JsonNode n) {
        for (String lower : List.of("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")) {
            bound(path, lower, o.get(lower), n.get(lower), true);
        }
        for (String upper : List.of("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")) {
            bound(path, upper, o.get(upper), n.get(upper), false);
        }
    }

    /** CONSUMERS: the new range lies within the old one; LOSS_DOCTOR: it covers the old one. */
    private void bound(String path, String keyword, JsonNode oldBound, JsonNode newBound, boolean lower) {
        if (oldBound == null && newBound == null) {
            return;
        }
        boolean narrows = reader == Reader.CONSUMERS;
        JsonNode inner = narrows ? newBound : oldBound, outer = narrows ? oldBound : newBound;
        if (outer == null) {
            return; // unbounded outside
        }
        if (inner == null || (lower ? inner.asDouble() < outer.asDouble() : inner.asDouble() > outer.asDouble())) {
            breaks.add(path + ": " + keyword + " " + oldBound + " became " + newBound);
        }
    }

    private static boolean isClosed(JsonNode schema) {
        JsonNode ap = schema.get("additionalProperties");
        return ap != null && ap.isBoolean() && !ap.asBoolean();
    }

    /** A reference to an extensible enum, directly or as one of its alternatives (a code or null). */
    private static boolean isExtensibleRef(JsonNode node) {
        String ref = node.path("$ref").asText("");
        if (EXTENSIBLE_ENUMS.stream().anyMatch(name -> ref.equals("#/$defs/" + name))) {
            return true;
        }
        for (String key : List.of("anyOf", "oneOf")) {
            for (JsonNode branch : node.path(key)) {
                if (isExtensibleRef(branch)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode resolve(JsonNode root, JsonNode node) {
        JsonNode n = node;
        for (int depth = 0; n != null && n.has("$ref") && depth < 16; depth++) {
            String ref = n.get("$ref").asText();
            if (!ref.startsWith("#")) {
                throw new IllegalArgumentException("only local $refs are compared: " + ref);
            }
            n = root.at(ref.substring(1));
            if (n.isMissingNode()) {
                throw new IllegalArgumentException("no " + ref);
            }
        }
        return n;
    }

    /** The JSON types a schema allows, or null when it does not say (then any). */
    private static Set<String> types(JsonNode root, JsonNode s) {
        JsonNode type = s.get("type");
        if (type != null) {
            return strings(type);
        }
        Set<JsonNode> values = values(root, s);
        if (values != null) {
            Set<String> t = new HashSet<>();
            values.forEach(v -> t.add(jsonType(v)));
            return t;
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (s.has(key)) {
                Set<String> union = new HashSet<>();
                for (JsonNode branch : s.get(key)) {
                    Set<String> b = types(root, resolve(root, branch));
                    if (b == null) {
                        return null;
                    }
                    union.addAll(b);
                }
                return union;
            }
        }
        return null;
    }

    /** The values an enum or const allows (through anyOf/oneOf branches), or null when not an enumeration. */
    private static Set<JsonNode> values(JsonNode root, JsonNode s) {
        if (s.has("const")) {
            return Set.of(s.get("const"));
        }
        if (s.has("enum")) {
            Set<JsonNode> v = new LinkedHashSet<>();
            s.get("enum").forEach(v::add);
            return v;
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (s.has(key)) {
                Set<JsonNode> union = new LinkedHashSet<>();
                for (JsonNode branch : s.get(key)) {
                    JsonNode b = resolve(root, branch);
                    Set<JsonNode> bv = values(root, b);
                    if (bv == null) {
                        if (strings(b.get("type")).equals(Set.of("null"))) {
                            union.add(com.fasterxml.jackson.databind.node.NullNode.getInstance());
                            continue;
                        }
                        return null;
                    }
                    union.addAll(bv);
                }
                return union;
            }
        }
        return null;
    }

    private static String jsonType(JsonNode v) {
        return v.isNull() ? "null" : v.isTextual() ? "string" : v.isIntegralNumber() ? "integer" : v.isNumber() ? "number"
                : v.isBoolean() ? "boolean" : v.isArray() ? "array" : "object";
    }

    private static Set<String> strings(JsonNode node) {
        Set<String> out = new LinkedHashSet<>();
        if (node == null) {
            return out;
        }
        if (node.isTextual()) {
            out.add(node.asText());
        } else {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
