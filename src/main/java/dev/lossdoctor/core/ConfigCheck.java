package dev.lossdoctor.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The checks a run's configuration allows at {@code run_started} (DESIGN.md section 1): hidden
 * layers want relu, tanh or softplus; a classifier's output wants sigmoid or softmax; a
 * regressor's output wants a linear activation. Only what the config states is checked.
 */
final class ConfigCheck {

    private static final Set<String> SATURATING_HIDDEN = Set.of("sigmoid", "hard_sigmoid", "logistic");
    private static final Set<String> LINEAR = Set.of("linear", "identity", "none");
    private static final Set<String> UNBOUNDED = Set.of("relu", "tanh", "softplus", "elu", "selu", "leaky_relu", "gelu", "silu", "swish");
    private static final Set<String> PROBABILITY = Set.of("sigmoid", "softmax", "log_softmax");

    private ConfigCheck() {
    }

    static List<String> problems(RunConfig c) {
        List<String> problems = new ArrayList<>();
        String hidden = norm(c.hiddenActivation());
        String out = norm(c.outputActivation());
        String task = norm(c.task());
        String loss = norm(c.loss());
        if (hidden != null && (SATURATING_HIDDEN.contains(hidden) || LINEAR.contains(hidden))) {
            problems.add("hidden layers use " + c.hiddenActivation()
                    + (LINEAR.contains(hidden) ? " (a stack of linear layers is one linear layer)"
                    : " (gradients vanish through stacked sigmoids)"));
        }
        if (isClassification(task) && out != null) {
            boolean logitsLoss = loss != null && (loss.contains("cross_entropy") || loss.contains("logits") || loss.contains("nll"));
            if (UNBOUNDED.contains(out) || (LINEAR.contains(out) && !logitsLoss)) {
                problems.add("a classifier's output uses " + c.outputActivation()
                        + " where it wants sigmoid (binary or multi-label) or softmax (one of many classes)");
            }
        }
        if (isRegression(task) && out != null && (PROBABILITY.contains(out) || out.equals("tanh"))) {
            problems.add("a regressor's output uses " + c.outputActivation() + " where it wants a linear activation");
        }
        if (isRegression(task) && loss != null && loss.contains("cross_entropy")) {
            problems.add("a regressor is trained with " + c.loss() + ", a classification loss");
        }
        if (isClassification(task) && loss != null && (loss.equals("mse") || loss.equals("mean_squared_error"))) {
            problems.add("a classifier is trained with " + c.loss() + " where cross-entropy fits");
        }
        return problems;
    }

    static List<String> fixes(RunConfig c) {
        List<String> fixes = new ArrayList<>();
        String hidden = norm(c.hiddenActivation());
        if (hidden != null && (SATURATING_HIDDEN.contains(hidden) || LINEAR.contains(hidden))) {
            fixes.add("Use relu (or tanh, softplus) in the hidden layers");
        }
        if (isClassification(norm(c.task()))) {
            fixes.add("End a classifier with sigmoid (binary or multi-label) or softmax (one of many classes), with cross-entropy loss");
        }
        if (isRegression(norm(c.task()))) {
            fixes.add("End a regressor with a linear output and a regression loss (MSE, MAE, Huber)");
        }
        return fixes;
    }

    private static boolean isClassification(String task) {
        return task != null && task.contains("classif");
    }

    private static boolean isRegression(String task) {
        return task != null && task.contains("regress");
    }

    private static String norm(String s) {
        return s == null ? null : s.trim().toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    }
}
