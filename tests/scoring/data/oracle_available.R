# Variant of shared/reference/oracle.R for domains where some criterion has no
# answers at all. oracle.R then reports Inf/NaN for every criterion of the
# domain (svyratio's joint covariance breaks on a 0/0 ratio). This variant
# estimates, in each domain, only the criteria that have answers there, and
# forms factors and the index as means over the criteria (factors) that do --
# surveyapp.scoring's documented policy -- with R's own machinery.
# It also reads optional psu and fpc columns.
# Usage: Rscript oracle_available.R IN.csv OUT.csv
suppressMessages({library(survey)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], check.names = FALSE, stringsAsFactors = FALSE)
crit <- grep("^F[0-9]+\\.[0-9]+$", names(d), value = TRUE)
fac <- sub("\\..*$", "", crit)
for (j in seq_along(crit)) {
  a <- d[[crit[j]]]
  d[[paste0("m", j)]] <- as.numeric(!is.na(a))
  d[[paste0("y", j)]] <- ifelse(is.na(a), 0, as.numeric(a >= 4))
  d[[paste0("s", j)]] <- ifelse(is.na(a), NA, as.numeric(a >= 4))
}
# Optional design columns: psu (clusters, numbered within strata) and fpc
# (population number of PSUs in the stratum).
ids <- if ("psu" %in% names(d)) ~psu else ~1
fpc <- if ("fpc" %in% names(d)) ~fpc else NULL
des <- svydesign(ids = ids, strata = ~stratum, weights = ~weight, fpc = fpc, data = d, nest = TRUE)
rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)
domains <- c(sort(unique(d$agency)), "ALL")
for (g in domains) {
  in_g <- if (g == "ALL") rep(TRUE, nrow(d)) else d$agency == g
  D <- if (g == "ALL") des else subset(des, agency == g)
  df_D <- degf(D)
  k <- length(crit)
  avail <- which(sapply(seq_len(k), function(j) sum(d[[paste0("m", j)]][in_g]) > 0))
  num <- as.formula(paste("~", paste0("y", avail, collapse = "+")))
  den <- as.formula(paste("~", paste0("m", avail, collapse = "+")))
  r <- svyratio(num, den, D, covmat = TRUE)
  est_all <- coef(r)
  V <- vcov(r)
  pick <- setNames(paste0("y", avail, "/m", avail), avail)
  for (j in seq_len(k)) {
    if (!(j %in% avail)) {
      add(domain = g, level = "criterion", code = crit[j], n = 0, df = 0, estimate = NA, se = NA,
          beta_low = NA, beta_high = NA, logit_low = NA, logit_high = NA, wald_low = NA, wald_high = NA)
      next
    }
    Dj <- subset(D, !is.na(get(paste0("s", j))))
    p <- unname(est_all[pick[as.character(j)]])
    se <- sqrt(V[pick[as.character(j)], pick[as.character(j)]])
    f <- as.formula(paste0("~s", j))
    b <- tryCatch(attr(svyciprop(f, Dj, method = "beta"), "ci"), error = function(e) c(NA, NA))
    l <- tryCatch(attr(svyciprop(f, Dj, method = "logit"), "ci"), error = function(e) c(NA, NA))
    add(domain = g, level = "criterion", code = crit[j], n = nrow(Dj), df = degf(Dj), estimate = p, se = se,
        beta_low = b[1], beta_high = b[2], logit_low = l[1], logit_high = l[2], wald_low = NA, wald_high = NA)
  }
  tq <- qt(0.975, df_D)
  n_D <- nrow(D)
  L_index <- setNames(rep(0, length(est_all)), names(est_all))
  fac_avail <- unique(fac[avail])
  for (f in unique(fac)) {
    idx <- intersect(which(fac == f), avail)
    if (length(idx) == 0) {
      add(domain = g, level = "factor", code = f, n = n_D, df = df_D, estimate = NA, se = NA,
          beta_low = NA, beta_high = NA, logit_low = NA, logit_high = NA, wald_low = NA, wald_high = NA)
      next
    }
    L <- setNames(rep(0, length(est_all)), names(est_all))
    L[pick[as.character(idx)]] <- 1 / length(idx)
    L_index <- L_index + L / length(fac_avail)
    est <- sum(L * est_all); se <- sqrt(drop(t(L) %*% V %*% L))
    add(domain = g, level = "factor", code = f, n = n_D, df = df_D, estimate = est, se = se,
        beta_low = NA, beta_high = NA, logit_low = NA, logit_high = NA,
        wald_low = max(0, est - tq * se), wald_high = min(1, est + tq * se))
  }
  est <- sum(L_index * est_all); se <- sqrt(drop(t(L_index) %*% V %*% L_index))
  add(domain = g, level = "index", code = "SIPAS", n = n_D, df = df_D, estimate = est, se = se,
      beta_low = NA, beta_high = NA, logit_low = NA, logit_high = NA,
      wald_low = max(0, est - tq * se), wald_high = min(1, est + tq * se))
}
out <- do.call(rbind, rows)
write.csv(out, args[2], row.names = FALSE, na = "")
cat(nrow(out), "reference rows ->", args[2], "\n")
