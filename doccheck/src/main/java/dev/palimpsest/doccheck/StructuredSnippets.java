package dev.palimpsest.doccheck;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Checks the blocks that are data, not code: a {@code json} block must be one JSON value
 * without duplicate keys; an {@code xml} block must be well-formed, and a Maven
 * {@code <dependency>} on this project must name a shipped artifact at the project's version.
 */
public final class StructuredSnippets {
    private static final String GROUP_ID = "dev.palimpsest";
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private StructuredSnippets() {
    }

    /**
     * Parses a {@code json} block.
     *
     * @param body the block's text
     * @return the problems; empty if the block is one valid JSON value
     */
    public static List<String> checkJson(String body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() == null) {
                return List.of("an empty json block");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return List.of("more than one JSON value, at line "
                        + parser.currentLocation().getLineNr());
            }
            return List.of();
        } catch (JsonProcessingException e) {
            return List.of("not valid JSON: " + e.getOriginalMessage() + " (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("reading a json block failed", e);
        }
    }

    /**
     * Parses an {@code xml} block and checks its dependencies on this project.
     *
     * @param body             the block's text
     * @param shippedArtifacts the artifact ids a user can depend on
     * @param version          the project's version
     * @return the problems; empty if there are none
     */
    public static List<String> checkXml(String body, Set<String> shippedArtifacts,
                                        String version) {
        Document document;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler()); // throws, prints nothing
            document = builder.parse(new InputSource(new StringReader(body)));
        } catch (SAXException e) {
            return List.of("not well-formed XML: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser cannot be configured", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading an xml block failed", e);
        }
        List<String> problems = new ArrayList<>();
        NodeList dependencies = document.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            if (!GROUP_ID.equals(child(dependency, "groupId"))) {
                continue;
            }
            String artifact = child(dependency, "artifactId");
            if (!shippedArtifacts.contains(artifact)) {
                problems.add("the dependency on " + GROUP_ID + ":" + artifact + " names no "
                        + "shipped artifact; these are " + String.join(", ",
                        shippedArtifacts.stream().sorted().toList()));
            }
            String declared = child(dependency, "version");
            if (!version.equals(declared)) {
                problems.add("the dependency on " + GROUP_ID + ":" + artifact + " has version '"
                        + declared + "', but the poms say " + version);
            }
        }
        return problems;
    }

    private static String child(Element parent, String name) {
        NodeList children = parent.getElementsByTagName(name);
        return children.getLength() == 0 ? "" : children.item(0).getTextContent().strip();
    }
}
