/* costfront: pricing a run under a way of buying compute (pricing.h).
 *
 * The model (see pricing.h): billed hours = gpu_hours x (1 + f), where f is the spot checkpoint/restart overhead
 * at the optimal checkpoint interval of Young (1974) "A first order approximation to the optimum checkpoint
 * interval", CACM 17(9), or of Daly (2006) "A higher order estimate of the optimum checkpoint interval for restart
 * dumps", FGCS 22(3). Money, energy and operational carbon all use billed hours: the overhead is machine time that
 * is paid for and powered. Embodied carbon is the card's manufacturing carbon amortised linearly over its service
 * life, charged per billed hour and reported apart from the operational figure.
 *
 * Offer choice: the run's provider and region when it names them, else the options' restrictions, else every
 * offer; among the candidates with a price for the option, the cheapest wins (ties: catalog order). The offer's
 * region gives PUE and grid intensity; when the catalog does not know that region the model falls back to PUE 1.0
 * and the world-average grid of 475 gCO2e/kWh (Green Algorithms CI_aggregated.csv) and sets price->region to NULL.
 */
#include "costfront/pricing.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* World-average grid intensity (gCO2e/kWh) used when an offer's region is unknown to the catalog. */
#define CF_WORLD_GRID_G_PER_KWH 475.0

/* Interruption rate (per hour) assumed for a spot offer that does not give one: the REFERENCE-costs.md worked
 * example value, deliberately conservative. */
#define CF_DEFAULT_SPOT_LAMBDA 0.05

#define CF_HOURS_PER_YEAR 8760.0

static const char *const proc_names[CF_PROC_COUNT] = {"on_demand",   "spot",    "reserved_1y",
                                                      "reserved_3y", "on_prem", "hybrid"};

const char *cf_procurement_name(cf_procurement p)
{
    if ((int)p < 0 || p >= CF_PROC_COUNT) return "unknown";
    return proc_names[p];
}

cf_status cf_procurement_parse(const char *s, cf_procurement *out)
{
    if (s == NULL || out == NULL) return CF_ERR_ARG;
    /* Normalise: lower case, '-' and ' ' as '_', no surrounding blanks. */
    char buf[32];
    while (*s == ' ' || *s == '\t') s++;
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++) {
        char ch = (char)tolower((unsigned char)*s);
        buf[n++] = (ch == '-' || ch == ' ') ? '_' : ch;
    }
    if (*s) return CF_ERR_INVALID;
    while (n > 0 && (buf[n - 1] == '_' || buf[n - 1] == '\t')) n--;
    buf[n] = '\0';
    static const struct {
        const char *name;
        cf_procurement p;
    } table[] = {
        {"on_demand", CF_PROC_ON_DEMAND},
        {"ondemand", CF_PROC_ON_DEMAND},
        {"od", CF_PROC_ON_DEMAND},
        {"spot", CF_PROC_SPOT},
        {"preemptible", CF_PROC_SPOT},
        {"reserved_1y", CF_PROC_RESERVED_1Y},
        {"reserved1y", CF_PROC_RESERVED_1Y},
        {"1y", CF_PROC_RESERVED_1Y},
        {"reserved_3y", CF_PROC_RESERVED_3Y},
        {"reserved3y", CF_PROC_RESERVED_3Y},
        {"3y", CF_PROC_RESERVED_3Y},
        {"on_prem", CF_PROC_ON_PREM},
        {"onprem", CF_PROC_ON_PREM},
        {"on_premises", CF_PROC_ON_PREM},
        {"hybrid", CF_PROC_HYBRID},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        if (strcmp(buf, table[i].name) == 0) {
            *out = table[i].p;
            return CF_OK;
        }
    }
    return CF_ERR_INVALID;
}

void cf_spot_params_default(cf_spot_params *p)
{
    if (p == NULL) return;
    p->checkpoint_hours = 2.0 / 60.0;
    p->restart_hours = 10.0 / 60.0;
    p->use_daly = 1;
}

/* Young (1974): tau = sqrt(2 delta M). Daly (2006), first order: tau = sqrt(2 delta M) - delta, valid for
 * delta < 2M; beyond that Daly takes tau = M, which is also used when the first-order formula is not positive. */
double cf_checkpoint_interval(double lambda_per_hour, const cf_spot_params *p)
{
    cf_spot_params d;
    if (p == NULL) {
        cf_spot_params_default(&d);
        p = &d;
    }
    if (!(lambda_per_hour > 0)) return INFINITY;
    double delta = p->checkpoint_hours > 0 ? p->checkpoint_hours : 0.0;
    if (delta == 0.0) return 0.0; /* free checkpoints: checkpoint continuously */
    double m = 1.0 / lambda_per_hour;
    double tau = sqrt(2.0 * delta * m);
    if (p->use_daly) {
        if (delta >= 2.0 * m) return m;
        tau -= delta;
        if (!(tau > 0)) tau = m;
    }
    return tau;
}

double cf_spot_overhead(double lambda_per_hour, const cf_spot_params *p, double *tau_out)
{
    cf_spot_params d;
    if (p == NULL) {
        cf_spot_params_default(&d);
        p = &d;
    }
    double tau = cf_checkpoint_interval(lambda_per_hour, p);
    if (tau_out) *tau_out = tau;
    if (!(lambda_per_hour > 0)) return 0.0;
    double delta = p->checkpoint_hours > 0 ? p->checkpoint_hours : 0.0;
    double r = p->restart_hours > 0 ? p->restart_hours : 0.0;
    /* Free checkpoints (delta = 0) make tau -> 0: only the restarts remain. */
    double ckpt = (delta > 0 && tau > 0) ? delta / tau : 0.0;
    return ckpt + lambda_per_hour * (tau / 2.0 + r);
}

void cf_pricing_opts_default(cf_pricing_opts *o)
{
    if (o == NULL) return;
    cf_spot_params_default(&o->spot);
    o->carbon_price_usd_per_t = NAN;
    o->provider = NULL;
    o->region = NULL;
    o->storage_class = CF_STORAGE_OBJECT_STANDARD;
    o->keep_last_checkpoints = 0;
    o->checkpoint_every_hours = NAN;
    o->owned_provider = NULL;
    o->owned_region = NULL;
}

double cf_energy_kwh(double gpu_hours, double board_power_w, double pue)
{
    return gpu_hours * (board_power_w / 1000.0) * pue;
}

double cf_co2e_kg(double energy_kwh, double grid_gco2e_per_kwh) { return energy_kwh * grid_gco2e_per_kwh / 1000.0; }

/* The offer's price for a cloud option (NaN when not offered). */
static double offer_price(const cf_offer *o, cf_procurement option)
{
    switch (option) {
    case CF_PROC_ON_DEMAND: return o->on_demand;
    case CF_PROC_SPOT: return o->spot;
    case CF_PROC_RESERVED_1Y: return o->reserved_1y;
    case CF_PROC_RESERVED_3Y: return o->reserved_3y;
    default: return NAN;
    }
}

/* Case-insensitive equality treating ' ', '-', '_' and '/' alike (the catalog's matching rule). */
static int loose_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '-' || *a == '_' || *a == '/') a++;
        while (*b == ' ' || *b == '-' || *b == '_' || *b == '/') b++;
        if (*a == '\0' || *b == '\0') return *a == *b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
        a++;
        b++;
    }
}

/* Lists the catalog's hardware ids into buf, for an "unknown hardware" message. */
static void list_hardware(const cf_catalog *cat, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cf_catalog_hardware_count(cat) && used < n; i++) {
        int k = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", cf_catalog_hardware_at(cat, i)->id);
        if (k < 0) break;
        used += (size_t)k;
    }
}

char *cf_price_gravity_phrase(const cf_price *p, char *buf, size_t n)
{
    if (p == NULL || buf == NULL || n == 0 || p->compute_best == NULL || p->offer == NULL) return NULL;
    double cheaper = p->compute_cost_usd > 0 ? 100.0 * (1.0 - p->compute_best_compute_usd / p->compute_cost_usd) : NAN;
    double dearer = p->cost_usd > 0 ? 100.0 * (p->compute_best_cost_usd / p->cost_usd - 1.0) : NAN;
    char at[300] = "";
    if (p->data_src != NULL) snprintf(at, sizeof at, " (data at %s/%s)", p->data_src->provider, p->data_src->region);
    if (isfinite(dearer))
        snprintf(buf, n, "%s on %s/%s is %.0f%% cheaper in compute but %.0f%% dearer with egress and storage%s",
                 cf_procurement_name(p->option), p->compute_best->provider, p->compute_best->region, cheaper, dearer,
                 at);
    else
        snprintf(buf, n, "%s on %s/%s is %.0f%% cheaper in compute but its egress or storage has no price%s",
                 cf_procurement_name(p->option), p->compute_best->provider, p->compute_best->region, cheaper, at);
    return buf;
}

void cf_transfer_need_none(cf_transfer_need *n)
{
    if (n == NULL) return;
    n->data_gb = n->checkpoint_gb = n->storage_days = n->model_gb = n->num_nodes = n->wall_hours = n->num_gpus = NAN;
    n->data_location = NULL;
    n->data_src = NULL;
}

void cf_transfer_need_of_run(const cf_run *run, cf_transfer_need *n)
{
    cf_transfer_need_none(n);
    if (run == NULL || n == NULL) return;
    n->data_gb = run->data_gb;
    n->checkpoint_gb = run->checkpoint_gb;
    n->storage_days = run->storage_days;
    n->model_gb = run->model_gb;
    n->num_nodes = run->num_nodes;
    n->wall_hours = run->wall_hours;
    n->num_gpus = run->num_gpus;
    n->data_location = run->data_location;
}

int cf_transfer_need_any(const cf_transfer_need *n)
{
    /* Positive only: zero, like absent, asks for nothing (and a run struct zeroed by hand stays priced as before). */
    return n != NULL && (n->data_gb > 0 || n->checkpoint_gb > 0 || n->storage_days > 0 || n->model_gb > 0);
}

double cf_checkpoints_written(double wall_hours, double tau_hours)
{
    if (!(tau_hours > 0) || !isfinite(tau_hours) || !(wall_hours > 0)) return 0.0;
    return floor(wall_hours / tau_hours);
}

/* A value or 0 when absent. */
static double or0(double x) { return isnan(x) ? 0.0 : x; }

cf_status cf_price_transfer(const cf_catalog *cat, const cf_transfer_need *need, const char *provider,
                            const char *region, cf_procurement option, double tau_hours, const cf_pricing_opts *opts,
                            cf_price *out, cf_error *err)
{
    if (cat == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "catalog and result needed");
    out->egress_cost_usd = out->storage_cost_usd = out->egress_gb = out->storage_gb = 0.0;
    out->checkpoints_written = out->checkpoints_kept = 0.0;
    out->egress_path = NULL;
    out->data_src = NULL;
    out->storage_src = NULL;
    out->has_transfer = cf_transfer_need_any(need);
    if (!out->has_transfer) return CF_OK;
    cf_pricing_opts dflt;
    if (opts == NULL) {
        cf_pricing_opts_default(&dflt);
        opts = &dflt;
    }
    if ((int)opts->storage_class < 0 || opts->storage_class >= CF_STORAGE_CLASS_COUNT)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "storage_class", "unknown storage class %d",
                            (int)opts->storage_class);
    const char *where_p = provider ? provider : "?", *where_r = region ? region : "?";
    /* Egress: the data's own cloud charges for every GB that leaves it. */
    double data = or0(need->data_gb);
    if (need->data_location != NULL || need->data_src != NULL) {
        out->data_src = need->data_src;
        cf_status st =
            out->data_src ? CF_OK : cf_catalog_data_location(cat, need->data_location, &out->data_src, err);
        if (st != CF_OK) return st;
        const char *path = NULL;
        double per_gb = cf_egress_price(cat, out->data_src, provider, region, &path);
        out->egress_path = data > 0 ? path : NULL;
        if (data > 0 && isnan(per_gb))
            return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "egress",
                                "no %s egress price for data at %s/%s going to %s/%s (the catalog has null)", path,
                                out->data_src->provider, out->data_src->region, where_p, where_r);
        out->egress_gb = strcmp(path, "same region") != 0 ? data : 0.0;
        out->egress_cost_usd = data * (data > 0 ? per_gb : 0.0);
    }
    /* Checkpoints: Young/Daly's interval for spot, the configured interval otherwise, spread over wall-clock
     * hours. */
    if (need->checkpoint_gb > 0) {
        double wall = need->wall_hours; /* NaN (no checkpoints counted) unless the caller knows the hours */
        double tau = option == CF_PROC_SPOT ? tau_hours
                     : (opts->checkpoint_every_hours > 0) ? opts->checkpoint_every_hours
                                                           : INFINITY;
        out->checkpoints_written = cf_checkpoints_written(wall, tau);
        out->checkpoints_kept = out->checkpoints_written;
        if (opts->keep_last_checkpoints > 0 && out->checkpoints_kept > (double)opts->keep_last_checkpoints)
            out->checkpoints_kept = (double)opts->keep_last_checkpoints;
    }
    out->storage_gb = data + out->checkpoints_kept * or0(need->checkpoint_gb) + or0(need->model_gb);
    double days = or0(need->storage_days);
    if (out->storage_gb > 0 && days > 0) {
        const cf_storage *sto = cf_catalog_storage(cat, provider, region);
        double per = sto ? sto->usd_per_gb_month[opts->storage_class] : NAN;
        if (isnan(per))
            return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "storage",
                                "no %s storage price for %s/%s in the catalog%s",
                                cf_storage_class_name(opts->storage_class), where_p, where_r,
                                sto ? " (it has null)" : "");
        out->storage_cost_usd = out->storage_gb * per * days / 30.0;
        out->storage_src = sto;
    }
    return CF_OK;
}

/* The wall-clock hours a run's checkpoints are spread over: its wall_hours, else gpu_hours / num_gpus, else
 * gpu_hours (one accelerator: the most checkpoints). */
static double need_wall(const cf_transfer_need *need, double gpu_hours)
{
    if (need != NULL && need->wall_hours > 0) return need->wall_hours;
    if (need != NULL && need->num_gpus > 0) return gpu_hours / need->num_gpus;
    return gpu_hours;
}

/* Prices gpu_hours of hw on offer o under option (compute, energy, carbon, and the need's egress and storage)
 * into out. Returns the status of the transfer part. */
static cf_status price_offer_in(const cf_catalog *cat, const cf_hardware *hw, const cf_offer *o,
                                const cf_region *reg, double price, double gpu_hours, const cf_transfer_need *need,
                                cf_procurement option, const cf_pricing_opts *opts, cf_price *out, cf_error *err)
{
    memset(out, 0, sizeof *out);
    out->option = option;
    out->offer = o;
    out->region = reg;
    out->price_per_hour = price;
    double tau = INFINITY;
    if (option == CF_PROC_SPOT) {
        double lambda = isnan(o->spot_interruptions_per_hour) ? CF_DEFAULT_SPOT_LAMBDA : o->spot_interruptions_per_hour;
        /* A multi-node job restarts when any of its nodes is reclaimed. */
        if (need != NULL && need->num_nodes > 1) lambda *= need->num_nodes;
        out->overhead_fraction = cf_spot_overhead(lambda, &opts->spot, &tau);
    }
    out->billed_gpu_hours = gpu_hours * (1.0 + out->overhead_fraction);
    out->compute_cost_usd = out->billed_gpu_hours * price;

    double pue = 1.0, grid = CF_WORLD_GRID_G_PER_KWH;
    if (out->region) {
        if (!isnan(out->region->pue)) pue = out->region->pue;
        if (!isnan(out->region->grid_gco2e_per_kwh)) grid = out->region->grid_gco2e_per_kwh;
    }
    /* Unknown board power leaves energy and carbon NaN (unknown) rather than zero. */
    out->energy_kwh = cf_energy_kwh(out->billed_gpu_hours, hw->board_power_w, pue);
    out->co2e_kg = cf_co2e_kg(out->energy_kwh, grid);
    out->embodied_kgco2e = out->billed_gpu_hours * hw->embodied_kgco2e / (hw->life_years * CF_HOURS_PER_YEAR);
    double cprice = isnan(opts->carbon_price_usd_per_t) ? cf_catalog_carbon_price(cat) : opts->carbon_price_usd_per_t;
    if (isnan(cprice)) cprice = 0.0; /* a catalog without a carbon price puts no price on carbon */
    out->carbon_cost_usd = out->co2e_kg / 1000.0 * cprice;

    cf_status st = CF_OK;
    if (cf_transfer_need_any(need)) {
        cf_transfer_need n = *need;
        n.wall_hours = need_wall(need, gpu_hours);
        st = cf_price_transfer(cat, &n, o->provider, o->region, option, tau, opts, out, err);
    }
    out->compute_best = NULL;
    out->compute_best_compute_usd = out->compute_best_cost_usd = NAN;
    out->cost_usd = out->compute_cost_usd + out->egress_cost_usd + out->storage_cost_usd;
    /* An unknown carbon cost is reported as NaN but does not poison the money total. */
    out->total_cost_usd = out->cost_usd + (isnan(out->carbon_cost_usd) ? 0.0 : out->carbon_cost_usd);
    return st;
}

/* price_offer_in with the offer's region looked up in the catalog. */
static cf_status price_offer(const cf_catalog *cat, const cf_hardware *hw, const cf_offer *o, double price,
                             double gpu_hours, const cf_transfer_need *need, cf_procurement option,
                             const cf_pricing_opts *opts, cf_price *out, cf_error *err)
{
    return price_offer_in(cat, hw, o, cf_catalog_region(cat, o->region), price, gpu_hours, need, option, opts, out,
                          err);
}

cf_status cf_price_hours(const cf_catalog *cat, const char *hardware, const char *provider, const char *region,
                         double gpu_hours, cf_procurement option, const cf_pricing_opts *opts, cf_price *out,
                         cf_error *err)
{
    return cf_price_hours_need(cat, hardware, provider, region, gpu_hours, NULL, option, opts, out, err);
}

cf_status cf_price_hours_need(const cf_catalog *cat, const char *hardware, const char *provider, const char *region,
                              double gpu_hours, const cf_transfer_need *need, cf_procurement option,
                              const cf_pricing_opts *opts, cf_price *out, cf_error *err)
{
    if (cat == NULL || out == NULL)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "catalog and result must not be NULL");
    if ((int)option < 0 || option >= CF_PROC_COUNT)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "procurement", "unknown procurement option %d", (int)option);
    if (option == CF_PROC_ON_PREM || option == CF_PROC_HYBRID)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "procurement",
                            "%s is priced from a TCO plan, not from catalog offers", cf_procurement_name(option));
    if (hardware == NULL || hardware[0] == '\0')
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "hardware", "no hardware given, so nothing to price");
    if (!isfinite(gpu_hours) || gpu_hours < 0)
        return cf_error_set(err, CF_ERR_INVALID, NULL, 0, 0, "gpu_hours",
                            "expected a finite non-negative number of GPU-hours, found %g", gpu_hours);
    cf_pricing_opts dflt;
    if (opts == NULL) {
        cf_pricing_opts_default(&dflt);
        opts = &dflt;
    }
    if ((int)opts->storage_class < 0 || opts->storage_class >= CF_STORAGE_CLASS_COUNT)
        return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, "storage_class", "unknown storage class %d",
                            (int)opts->storage_class);
    const cf_hardware *hw = cf_catalog_hardware(cat, hardware);
    if (hw == NULL) {
        char known[400];
        list_hardware(cat, known, sizeof known);
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "hardware",
                            "unknown hardware \"%s\"; the catalog knows: %s", hardware, known[0] ? known : "nothing");
    }
    const char *want_provider = provider ? provider : opts->provider;
    const char *want_region = region ? region : opts->region;
    int whole = cf_transfer_need_any(need);
    cf_transfer_need resolved;
    if (whole && need->data_location != NULL && need->data_src == NULL) {
        /* Resolve where the data lives once, not once per offer. */
        resolved = *need;
        cf_status st = cf_catalog_data_location(cat, need->data_location, &resolved.data_src, err);
        if (st != CF_OK) return st;
        need = &resolved;
    }

    /* Two choices over the same candidates: the cheapest per hour (compute alone, ties: catalog order), and,
     * when the run needs data moved or kept, the cheapest in compute + egress + storage. */
    const cf_offer *best = NULL;
    double best_price = NAN;
    cf_price cur;
    const cf_offer *pick_offer = NULL;
    double pick_money = NAN, pick_price = NAN;
    cf_error first_err;
    cf_error_clear(&first_err);
    int transfer_failed = 0;
    for (size_t i = 0; i < cf_catalog_offer_count(cat); i++) {
        const cf_offer *o = cf_catalog_offer_at(cat, i);
        if (strcmp(o->hardware, hw->id) != 0) continue;
        if (want_provider && !loose_eq(o->provider, want_provider)) continue;
        if (want_region && !loose_eq(o->region, want_region)) continue;
        double pr = offer_price(o, option);
        if (isnan(pr)) continue;
        if (best == NULL || pr < best_price) {
            best = o;
            best_price = pr;
        }
        if (!whole) continue;
        /* The money of this offer only (compute with its overhead, egress, storage): energy and carbon are
         * worked out for the offer chosen. */
        cf_error e;
        cf_error_clear(&e);
        double tau = INFINITY, f = 0.0;
        if (option == CF_PROC_SPOT) {
            double lambda =
                isnan(o->spot_interruptions_per_hour) ? CF_DEFAULT_SPOT_LAMBDA : o->spot_interruptions_per_hour;
            if (need->num_nodes > 1) lambda *= need->num_nodes;
            f = cf_spot_overhead(lambda, &opts->spot, &tau);
        }
        cf_transfer_need n = *need;
        n.wall_hours = need_wall(need, gpu_hours);
        cf_status st = cf_price_transfer(cat, &n, o->provider, o->region, option, tau, opts, &cur, &e);
        if (st == CF_ERR_NOMEM) return cf_error_set(err, st, NULL, 0, 0, NULL, "out of memory");
        if (st != CF_OK) {
            if (!transfer_failed++) first_err = e;
            continue;
        }
        double money = gpu_hours * (1.0 + f) * pr + cur.egress_cost_usd + cur.storage_cost_usd;
        if (pick_offer == NULL || money < pick_money) {
            pick_offer = o;
            pick_money = money;
            pick_price = pr;
        }
    }
    if (best == NULL)
        return cf_error_set(err, CF_ERR_NOT_FOUND, NULL, 0, 0, "offer",
                            "no offer prices %s under %s (provider %s, region %s)", hw->id, cf_procurement_name(option),
                            want_provider ? want_provider : "any", want_region ? want_region : "any");
    if (whole && pick_offer == NULL) {
        if (err != NULL) *err = first_err;
        return first_err.status != CF_OK ? first_err.status : CF_ERR_NOT_FOUND;
    }
    if (!whole) {
        cf_status st = price_offer(cat, hw, best, best_price, gpu_hours, NULL, option, opts, out, err);
        out->cheapest_chosen = !(want_provider && want_region);
        return st;
    }
    cf_status pst = price_offer(cat, hw, pick_offer, pick_price, gpu_hours, need, option, opts, out, err);
    if (pst != CF_OK) return pst; /* cannot happen: the same transfer prices worked above */
    out->cheapest_chosen = !(want_provider && want_region);
    if (pick_offer != best) {
        /* Data gravity: compute alone would have chosen best; say what it would have cost. */
        cf_price alt;
        cf_error e;
        cf_error_clear(&e);
        out->compute_best = best;
        if (price_offer(cat, hw, best, best_price, gpu_hours, need, option, opts, &alt, &e) == CF_OK) {
            out->compute_best_compute_usd = alt.compute_cost_usd;
            out->compute_best_cost_usd = alt.cost_usd;
        } else {
            out->compute_best_compute_usd = alt.compute_cost_usd;
            out->compute_best_cost_usd = NAN; /* unpriceable in whole: its transfer price is unknown */
        }
    }
    return CF_OK;
}

void cf_price_apply_measured_power(const cf_catalog *cat, double power_w, double wall_hours,
                                   const cf_pricing_opts *opts, cf_price *p)
{
    if (p == NULL || !(power_w > 0) || !(wall_hours > 0) || !isfinite(power_w) || !isfinite(wall_hours)) return;
    double pue = 1.0, grid = CF_WORLD_GRID_G_PER_KWH;
    if (p->region) {
        if (!isnan(p->region->pue)) pue = p->region->pue;
        if (!isnan(p->region->grid_gco2e_per_kwh)) grid = p->region->grid_gco2e_per_kwh;
    }
    p->energy_kwh = cf_energy_kwh(wall_hours * (1.0 + p->overhead_fraction), power_w, pue);
    p->co2e_kg = cf_co2e_kg(p->energy_kwh, grid);
    double cprice = opts != NULL && !isnan(opts->carbon_price_usd_per_t) ? opts->carbon_price_usd_per_t
                                                                         : cf_catalog_carbon_price(cat);
    if (isnan(cprice)) cprice = 0.0;
    p->carbon_cost_usd = p->co2e_kg / 1000.0 * cprice;
    p->total_cost_usd = p->cost_usd + p->carbon_cost_usd;
    p->energy_measured = 1;
}

cf_status cf_price_run(const cf_catalog *cat, const cf_run *run, cf_procurement option, const cf_pricing_opts *opts,
                       cf_price *out, cf_error *err)
{
    if (run == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "run must not be NULL");
    const char *id = run->run_id ? run->run_id : "(unnamed)";
    if (run->hardware == NULL)
        return cf_error_set(err, CF_ERR_INVALID, run->source, run->line, 0, "hardware",
                            "run \"%s\" names no hardware, so it cannot be priced", id);
    if (isnan(run->gpu_hours))
        return cf_error_set(err, CF_ERR_INVALID, run->source, run->line, 0, "gpu_hours",
                            "run \"%s\" has no gpu_hours, so it cannot be priced", id);
    cf_transfer_need need;
    cf_transfer_need_of_run(run, &need);
    cf_status st = cf_price_hours_need(cat, run->hardware, run->provider, run->region, run->gpu_hours, &need, option,
                                       opts, out, err);
    if (st == CF_OK && run->power_w > 0) cf_price_apply_measured_power(cat, run->power_w, run->wall_hours, opts, out);
    if (st != CF_OK && err != NULL && err->source[0] == '\0') {
        /* Point the error at the run's record. */
        if (run->source) snprintf(err->source, sizeof err->source, "%s", run->source);
        err->line = run->line;
    }
    return st;
}

/* One cached offer choice: the key (hardware, provider and region as the run gives them, option) and what
 * cf_price_hours_need chose for it without a transfer need: the card, the cheapest offer, its price and region,
 * or the error it gave. */
typedef struct price_slot {
    char *hardware, *provider, *region; /* owned copies; provider and region may be NULL */
    int option;                         /* -1: empty slot */
    uint64_t hash;
    cf_status status;
    const cf_hardware *hw;
    const cf_offer *offer;
    const cf_region *reg;
    double price;
    cf_error *err; /* owned, on failure only */
} price_slot;

struct cf_price_cache {
    const cf_catalog *cat;
    cf_pricing_opts opts;
    price_slot *slots;
    size_t cap, n;
};

cf_price_cache *cf_price_cache_create(const cf_catalog *cat, const cf_pricing_opts *opts)
{
    if (cat == NULL) return NULL;
    cf_price_cache *pc = calloc(1, sizeof *pc);
    if (pc == NULL) return NULL;
    pc->cat = cat;
    if (opts)
        pc->opts = *opts;
    else
        cf_pricing_opts_default(&pc->opts);
    pc->cap = 64;
    pc->slots = calloc(pc->cap, sizeof *pc->slots);
    if (pc->slots == NULL) {
        free(pc);
        return NULL;
    }
    for (size_t i = 0; i < pc->cap; i++) pc->slots[i].option = -1;
    return pc;
}

void cf_price_cache_destroy(cf_price_cache *pc)
{
    if (pc == NULL) return;
    for (size_t i = 0; i < pc->cap; i++) {
        if (pc->slots[i].option < 0) continue;
        free(pc->slots[i].hardware);
        free(pc->slots[i].provider);
        free(pc->slots[i].region);
        free(pc->slots[i].err);
    }
    free(pc->slots);
    free(pc);
}

/* FNV-1a over s (a NULL string hashes apart from every text, the empty one included). */
static uint64_t fnv_str(uint64_t h, const char *s)
{
    if (s == NULL) return (h ^ 0x1ffu) * 1099511628211u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (h ^ 0x100u) * 1099511628211u;
}

static int same_str(const char *a, const char *b) { return a == NULL ? b == NULL : b != NULL && !strcmp(a, b); }

/* Doubles the table, rehashing every slot. */
static int cache_grow(cf_price_cache *pc)
{
    size_t cap = 2 * pc->cap;
    price_slot *s = calloc(cap, sizeof *s);
    if (s == NULL) return 0;
    for (size_t i = 0; i < cap; i++) s[i].option = -1;
    for (size_t i = 0; i < pc->cap; i++) {
        if (pc->slots[i].option < 0) continue;
        size_t j = (size_t)pc->slots[i].hash & (cap - 1);
        while (s[j].option >= 0) j = (j + 1) & (cap - 1);
        s[j] = pc->slots[i];
    }
    free(pc->slots);
    pc->slots = s;
    pc->cap = cap;
    return 1;
}

static char *dup_opt(const char *s, int *oom)
{
    if (s == NULL) return NULL;
    char *d = strdup(s);
    if (d == NULL) *oom = 1;
    return d;
}

/* Fills a new slot with cf_price_hours_need's choice for its key (no transfer need, one GPU-hour: the choice does
 * not depend on the hours). */
static cf_status cache_fill(cf_price_cache *pc, price_slot *sl)
{
    cf_price tmp;
    cf_error e;
    e.status = CF_OK;
    cf_status st = cf_price_hours_need(pc->cat, sl->hardware, sl->provider, sl->region, 1.0, NULL,
                                       (cf_procurement)sl->option, &pc->opts, &tmp, &e);
    sl->status = st;
    if (st == CF_OK) {
        sl->hw = cf_catalog_hardware(pc->cat, sl->hardware);
        sl->offer = tmp.offer;
        sl->reg = tmp.region;
        sl->price = tmp.price_per_hour;
        return CF_OK;
    }
    if (st == CF_ERR_NOMEM) return st;
    sl->err = malloc(sizeof *sl->err);
    if (sl->err == NULL) return CF_ERR_NOMEM;
    *sl->err = e;
    return CF_OK;
}

cf_status cf_price_run_cached(cf_price_cache *pc, const cf_run *run, cf_procurement option, cf_price *out,
                              cf_error *err)
{
    if (pc == NULL) return cf_error_set(err, CF_ERR_ARG, NULL, 0, 0, NULL, "price cache must not be NULL");
    cf_transfer_need need;
    cf_transfer_need_of_run(run, &need);
    /* Only the offer choice is cached: runs needing data moved or kept, and every error that depends on the run's
     * own numbers, take the full path. */
    if (run == NULL || run->hardware == NULL || run->hardware[0] == '\0' || !isfinite(run->gpu_hours) ||
        run->gpu_hours < 0 || (int)option < 0 || option >= CF_PROC_COUNT || option == CF_PROC_ON_PREM ||
        option == CF_PROC_HYBRID || cf_transfer_need_any(&need))
        return cf_price_run(pc->cat, run, option, &pc->opts, out, err);
    uint64_t h = 1469598103934665603u;
    h = fnv_str(h, run->hardware);
    h = fnv_str(h, run->provider);
    h = fnv_str(h, run->region);
    h = (h ^ (uint64_t)option) * 1099511628211u;
    size_t j = (size_t)h & (pc->cap - 1);
    price_slot *sl = NULL;
    for (;; j = (j + 1) & (pc->cap - 1)) {
        price_slot *s = &pc->slots[j];
        if (s->option < 0) break;
        if (s->hash == h && s->option == (int)option && !strcmp(s->hardware, run->hardware) &&
            same_str(s->provider, run->provider) && same_str(s->region, run->region)) {
            sl = s;
            break;
        }
    }
    if (sl == NULL) {
        if (2 * (pc->n + 1) > pc->cap) {
            if (!cache_grow(pc)) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
            j = (size_t)h & (pc->cap - 1);
            while (pc->slots[j].option >= 0) j = (j + 1) & (pc->cap - 1);
        }
        sl = &pc->slots[j];
        memset(sl, 0, sizeof *sl);
        int oom = 0;
        sl->hardware = dup_opt(run->hardware, &oom);
        sl->provider = dup_opt(run->provider, &oom);
        sl->region = dup_opt(run->region, &oom);
        sl->hash = h;
        sl->option = (int)option;
        pc->n++;
        if (oom || cache_fill(pc, sl) != CF_OK) {
            /* Keep the slot consistent: a failure to remember is an out-of-memory error, never a wrong price. */
            sl->status = CF_ERR_NOMEM;
            return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    if (sl->status == CF_ERR_NOMEM) return cf_error_set(err, CF_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
    if (sl->status != CF_OK) {
        if (err != NULL) {
            *err = *sl->err;
            if (err->source[0] == '\0') {
                /* Point the error at the run's record, as cf_price_run does. */
                if (run->source) snprintf(err->source, sizeof err->source, "%s", run->source);
                err->line = run->line;
            }
        }
        return sl->status;
    }
    const char *want_provider = run->provider ? run->provider : pc->opts.provider;
    const char *want_region = run->region ? run->region : pc->opts.region;
    cf_status st = price_offer_in(pc->cat, sl->hw, sl->offer, sl->reg, sl->price, run->gpu_hours, NULL, option,
                                  &pc->opts, out, err);
    out->cheapest_chosen = !(want_provider && want_region);
    if (st == CF_OK && run->power_w > 0)
        cf_price_apply_measured_power(pc->cat, run->power_w, run->wall_hours, &pc->opts, out);
    return st;
}
