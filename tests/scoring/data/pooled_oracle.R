# Oracle for surveyapp.scoring.pooled: pooled factors and index over domains
# whose responses used several questionnaire versions, with R's survey package.
#
# Each pooled factor and the index are written as a nonlinear function of
# survey totals -- the version totals N_v = sum w [version v] and each
# criterion's answered and satisfied totals -- and estimated with svycontrast()
# of svytotal(), which differentiates the expression (delta method) and uses
# the linearised covariance of the totals in the domain (subset() keeps the
# whole design: domains by zero-weighting). The factor correspondence is
# written out here on purpose, independently of surveyapp's data file.
#
# In a domain: F_v = mean of y_c/x_c over version v's criteria of the factor
# that have answers there; pooled F = sum_v N_v F_v / sum_v N_v over the
# versions with such an F_v; index = mean of the pooled factors that exist.
# Usage: Rscript pooled_oracle.R IN.csv OUT.csv
suppressMessages({library(survey)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE, stringsAsFactors = FALSE, na.strings = "")
versions <- c("sipas-2017", "sipas-2023")
# Pooled factor = c(its sipas-2017 factor, its sipas-2023 factor).
pooled <- list(A = c("I", "A"), B = c("II", "B"), C = c("III", "C"),
               D = c("IV", "D"), E = c("V", "E"))
crit <- grep("^[A-Z]+[0-9]+$", names(d), value = TRUE)
fac <- sub("[0-9]+$", "", crit)
for (cc in crit) {
  a <- d[[cc]]
  d[[paste0("x_", cc)]] <- as.numeric(!is.na(a))
  d[[paste0("y_", cc)]] <- ifelse(is.na(a), 0, as.numeric(a >= 4))
}
for (j in seq_along(versions)) d[[paste0("n", j)]] <- as.numeric(d$version == versions[j])
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = d)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)
domains <- c(sort(unique(c(d$commune, d$province))), "ALL")
for (g in domains) {
  in_g <- if (g == "ALL") rep(TRUE, nrow(d)) else d$commune == g | d$province == g
  D <- if (g == "ALL") des else subset(des, in_g)
  here <- d[in_g, ]
  formulas <- list()
  used <- character(0)
  for (f in names(pooled)) {
    terms <- character(0)
    totals <- character(0)
    for (j in seq_along(versions)) {
      cs <- crit[fac == pooled[[f]][j]]
      avail <- cs[sapply(cs, function(cc) sum(here[[paste0("x_", cc)]]) > 0)]
      if (length(avail) == 0) next
      mean_v <- paste0("(", paste0("y_", avail, "/x_", avail, collapse = " + "), ")/",
                       length(avail))
      terms <- c(terms, paste0("n", j, " * (", mean_v, ")"))
      totals <- c(totals, paste0("n", j))
      used <- c(used, paste0("x_", avail), paste0("y_", avail), paste0("n", j))
    }
    if (length(terms) > 0) {
      formulas[[f]] <- paste0("(", paste(terms, collapse = " + "), ")/(",
                              paste(totals, collapse = " + "), ")")
    }
  }
  formulas[["SIPAS"]] <- paste0("(", paste0("(", unlist(formulas), ")", collapse = " + "),
                                ")/", length(formulas))
  tot <- svytotal(make.formula(unique(used)), D)
  con <- svycontrast(tot, lapply(formulas, function(s) parse(text = s)[[1]]))
  est <- coef(con)
  se <- sqrt(diag(as.matrix(vcov(con))))
  for (code in c(names(pooled), "SIPAS")) {
    level <- if (code == "SIPAS") "index" else "factor"
    have <- code %in% names(formulas)
    add(domain = g, level = level, code = code, n = nrow(here), df = degf(D),
        estimate = if (have) unname(est[code]) else NA,
        se = if (have) unname(se[code]) else NA)
  }
}
out <- do.call(rbind, rows)
out$estimate <- ifelse(is.na(out$estimate), NA, sprintf("%.17g", out$estimate))
out$se <- ifelse(is.na(out$se), NA, sprintf("%.17g", out$se))
write.csv(out, args[2], row.names = FALSE, na = "", quote = FALSE)
cat(nrow(out), "pooled reference rows ->", args[2], "\n")
