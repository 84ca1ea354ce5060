package dev.lossdoctor.chart;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** A chart parsed as XML (which also proves it well-formed), queried with XPath. */
final class SvgDoc {

    final String text;
    private final Document doc;

    SvgDoc(String text) {
        this.text = text;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + text, e);
        }
    }

    List<Element> all(String xpath) {
        try {
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET);
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                out.add((Element) nodes.item(i));
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError(xpath, e);
        }
    }

    Element one(String xpath) {
        List<Element> found = all(xpath);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + xpath + ", found " + found.size() + " in\n" + text);
        }
        return found.get(0);
    }

    /** The elements whose class attribute has the word {@code cls}. */
    List<Element> byClass(String element, String cls) {
        return all("//" + element + "[contains(concat(' ', normalize-space(@class), ' '), ' " + cls + " ')]");
    }

    /** The (x, y) pairs of a path's d attribute, subpath by subpath. */
    static List<List<double[]>> subpaths(String d) {
        List<List<double[]>> out = new ArrayList<>();
        for (String sub : d.split("M")) {
            if (sub.isBlank()) {
                continue;
            }
            String[] nums = sub.replace("h0", "").trim().split("[ ]+");
            List<double[]> pts = new ArrayList<>();
            for (int i = 0; i + 1 < nums.length; i += 2) {
                pts.add(new double[] {Double.parseDouble(nums[i]), Double.parseDouble(nums[i + 1])});
            }
            out.add(pts);
        }
        return out;
    }
}
