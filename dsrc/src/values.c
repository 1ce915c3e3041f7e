/* Descriptions of the En15509Container alternatives and the EFC attribute values (ISO
 * 17573-3 data dictionary types as constrained by EN 15509). Component names are those of
 * the ASN.1 modules, which JER uses. */
#include "values.h"

/* Attribute lists may nest (an attrList container inside an attribute); a bound keeps a
 * hostile input from recursing deep. */
#define NEST_MAX 4

/* Unconstrained INTEGER: length octet, then the shortest two's complement form. */
static int v_integer(visitor *v, const char *name, int64_t *x) {
  per_codec *c = &v->per;
  size_t n = 1, at = c->pos;
  uint8_t b[8];
  if (!v_is_per(v)) return vj_int64(v, name, x);
  if (c->enc) {
    while (n < 8 && !(*x >= -(INT64_C(1) << (8 * n - 1)) && *x < (INT64_C(1) << (8 * n - 1)))) n++;
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)((uint64_t)*x >> (8 * (n - 1 - i)));
    TRY(per_length(c, &n));
    return per_octets_fixed(c, b, n);
  }
  TRY(per_length(c, &n));
  if (n == 0) return v_fail_at(v, at, name, DSRC_ERR_RANGE, NULL);
  TRY(per_check_limit(c, n, 8, at));
  TRY(per_octets_fixed(c, b, n));
  if (n > 1 && ((b[0] == 0x00 && !(b[1] & 0x80)) || (b[0] == 0xff && (b[1] & 0x80))))
    return v_fail_at(v, at, name, DSRC_ERR_NONCANONICAL, NULL);
  uint64_t u = (b[0] & 0x80) ? UINT64_MAX : 0;
  for (size_t i = 0; i < n; i++) u = (u << 8) | b[i];
  *x = (int64_t)u;
  return 0;
}

int v_beacon_id(visitor *v, const char *name, dsrc_beacon_id *b) {
  TRY(v_seq_begin(v, name));
  TRY(v_u16(v, "manufacturerid", 16, &b->manufacturer_id));
  TRY(v_uint(v, "individualid", 27, &b->individual_id));
  v_end(v);
  return 0;
}

static int v_provider(visitor *v, const char *name, dsrc_provider *p) {
  TRY(v_seq_begin(v, name));
  TRY(v_bits16(v, "countryCode", 10, &p->country));
  TRY(v_u16(v, "providerIdentifier", 14, &p->issuer));
  v_end(v);
  return 0;
}

int v_context_mark(visitor *v, const char *name, dsrc_context_mark *m) {
  TRY(v_seq_begin(v, name));
  TRY(v_provider(v, "contractProvider", &m->provider));
  TRY(v_octets_fixed(v, "typeOfContract", m->type_of_contract, 2));
  TRY(v_ext7(v, "contextVersion", &m->context_version));
  v_end(v);
  return 0;
}

int v_attr_ids(visitor *v, const char *name, dsrc_attr_ids *ids) {
  TRY(v_list_begin(v, name, &ids->count, DSRC_ATTR_IDS_MAX));
  for (unsigned i = 0; i < ids->count; i++) {
    TRY(v_item_begin(v, i));
    TRY(v_ext7(v, NULL, &ids->ids[i]));
    v_end(v);
  }
  v_end(v);
  return 0;
}

static int v_date(visitor *v, const char *name, dsrc_date *d) {
  size_t at;
  uint32_t y = (uint32_t)(d->year - 1990);
  TRY(v_seq_begin(v, name));
  at = v_pos(v);
  if (v_is_per(v)) {
    if (!v_dec(v) && (d->year < 1990 || d->year > 2117)) return DSRC_ERR_RANGE;
    TRY(per_bits(&v->per, 7, &y));
    if (v_dec(v)) d->year = (uint16_t)(1990 + y);
  } else {
    uint32_t year = d->year;
    TRY(vj_uint(v, "year", 2117, &year));
    if (year < 1990) return v_fail_at(v, at, "year", DSRC_ERR_RANGE, "below 1990");
    if (v_dec(v)) d->year = (uint16_t)year;
  }
  TRY(v_range8(v, "month", 4, 12, &d->month));
  TRY(v_u8(v, "day", 5, &d->day));
  v_end(v);
  return 0;
}

static const char *const alphabet_names[33] = {
    "latinAlphabetNo1", "latinAlphabetNo2", "latinAlphabetNo3", "latinAlphabetNo4",
    "latinCyrillicAlphabet", "latinArabicAlphabet", "latinGreekAlphabet",
    "latinHebrewAlphabet", "latinAlphabetNo5", "latinAlphabetNo6", "twoOctetBMP",
    "forOctetCannonical", "latinAlphabetNo7", "latinAlphabetNo8", "latinAlphabetNo9",
    "latinAlphabetNo10", "latinThaiAlphabet", "utf8", "utf16BigEndian", "utf16LittleEndian",
    "utf32BigEndian", "utf32LittleEndian", "ucs4", "ascii", "iscii", "tis620", "vscii",
    "koi8R", "koi8U", "jisX0213", "gbt2312", "big5", "ksx1001"};

static int v_lpn(visitor *v, const char *name, dsrc_lpn *l) {
  /* AlphabetIndicator numbers its 33 values from 1; PER sends the index. */
  uint8_t idx = (uint8_t)(l->alphabet - 1);
  TRY(v_seq_begin(v, name));
  TRY(v_bits16(v, "countryCode", 10, &l->country));
  TRY(v_enum(v, "alphabetIndicator", alphabet_names, 33, 6, &idx));
  if (v_dec(v)) l->alphabet = (uint8_t)(idx + 1);
  TRY(v_octets_open(v, "licencePlateNumber", &l->number));
  v_end(v);
  return 0;
}

static int v_vehicle_class(visitor *v, const char *name, dsrc_vehicle_class *k) {
  TRY(v_seq_begin(v, name));
  TRY(v_present(v, "trailerPresenceIndicator", &k->has_trailer));
  TRY(v_present(v, "localVehicleClassId", &k->has_local));
  if (k->has_trailer) TRY(v_bits8(v, "trailerPresenceIndicator", 1, &k->trailer));
  TRY(v_bits8(v, "unEceVehicleClass", 3, &k->un_ece));
  if (k->has_local) TRY(v_bits8(v, "localVehicleClassId", 4, &k->local));
  v_end(v);
  return 0;
}

static int v_axles(visitor *v, const char *name, dsrc_vehicle_axles *a) {
  TRY(v_seq_begin(v, name));
  TRY(v_u8(v, "vehicleFirstAxleHeight", 8, &a->first_axle_height));
  TRY(v_seq_begin(v, "vehicleAxlesNumber"));
  TRY(v_u8(v, "tyreConfiguration", 2, &a->tyre_configuration));
  TRY(v_seq_begin(v, "numberOfAxles"));
  TRY(v_u8(v, "trailerAxles", 3, &a->trailer_axles));
  TRY(v_u8(v, "tractorAxles", 3, &a->tractor_axles));
  v_end(v);
  v_end(v);
  v_end(v);
  return 0;
}

static int v_specific(visitor *v, const char *name, dsrc_vehicle_specific *s) {
  TRY(v_seq_begin(v, name));
  TRY(v_seq_begin(v, "environmentalCharacteristics"));
  TRY(v_u8(v, "euroValue", 4, &s->euro_value));
  TRY(v_u8(v, "copValue", 4, &s->cop_value));
  v_end(v);
  TRY(v_u8(v, "engineCharacteristics", 8, &s->engine));
  TRY(v_u8(v, "descriptiveCharacteristics", 8, &s->descriptive));
  TRY(v_seq_begin(v, "futureCharacteristics"));
  TRY(v_u8(v, "futureElement", 1, &s->future_element));
  TRY(v_u8(v, "co2Scheme", 2, &s->co2_scheme));
  TRY(v_u8(v, "co2Class", 3, &s->co2_class));
  TRY(v_u8(v, "suspensionType", 2, &s->suspension));
  v_end(v);
  v_end(v);
  return 0;
}

static int v_receipt(visitor *v, const char *name, dsrc_receipt *r) {
  TRY(v_seq_begin(v, name));
  TRY(v_seq_begin(v, "sessionTime"));
  TRY(v_date(v, "timeDate", &r->date));
  TRY(v_seq_begin(v, "timeCompact"));
  TRY(v_range8(v, "hours", 5, 23, &r->hours));
  TRY(v_range8(v, "mins", 6, 59, &r->mins));
  TRY(v_range8(v, "doubleSecs", 5, 30, &r->double_secs));
  v_end(v);
  v_end(v);
  TRY(v_provider(v, "sessionServiceProvider", &r->service_provider));
  TRY(v_u16(v, "locationOfStation", 16, &r->location_of_station));
  TRY(v_seq_begin(v, "sessionLocation"));
  TRY(v_bool(v, "ascendingKilometrage", &r->ascending_km));
  TRY(v_u8(v, "laneCodeNumber", 7, &r->lane));
  v_end(v);
  TRY(v_u8(v, "sessionType", 8, &r->session_type));
  TRY(v_u8(v, "sessionResult", 8, &r->result));
  TRY(v_u8(v, "sessionTariffClass", 8, &r->tariff_class));
  TRY(v_u8(v, "sessionClaimedClass", 8, &r->claimed_class));
  TRY(v_seq_begin(v, "sessionFee"));
  TRY(v_u16(v, "paymentFeeAmount", 16, &r->fee_amount));
  TRY(v_octets_fixed(v, "paymentFeeUnit", r->fee_unit, 2));
  v_end(v);
  TRY(v_provider(v, "sessionContractProvider", &r->contract_provider));
  TRY(v_octets_fixed(v, "sessionTypeOfContract", r->type_of_contract, 2));
  TRY(v_ext7(v, "sessionContextVersion", &r->context_version));
  TRY(v_octets_fixed(v, "receiptDataAuthenticator", r->authenticator, 4));
  v_end(v);
  return 0;
}

static int v_container_depth(visitor *v, const char *name, dsrc_tapdu *t, dsrc_container *c,
                             unsigned depth);

static int v_attr_list_depth(visitor *v, const char *name, dsrc_tapdu *t, dsrc_attr_list *l,
                             unsigned depth) {
  size_t at = v_pos(v);
  if (depth > NEST_MAX) return v_fail_at(v, at, name, DSRC_ERR_LIMIT, "nested too deep");
  if (!v_dec(v) && l->first + l->count > t->npool) return DSRC_ERR_LIMIT;
  TRY(v_list_begin(v, name, &l->count, DSRC_POOL_MAX));
  if (v_dec(v)) {
    if ((unsigned)t->npool + l->count > DSRC_POOL_MAX)
      return v_fail_at(v, at, name, DSRC_ERR_LIMIT, "too many attributes in one T-APDU");
    l->first = t->npool;
    t->npool = (uint8_t)(t->npool + l->count);
  }
  for (unsigned i = 0; i < l->count; i++) {
    dsrc_attribute *a = &t->pool[l->first + i];
    TRY(v_item_begin(v, i));
    TRY(v_seq_begin(v, NULL));
    TRY(v_ext7(v, "attributeId", &a->id));
    TRY(v_container_depth(v, "attributeValue", t, &a->value, depth + 1));
    v_end(v);
    v_end(v);
  }
  v_end(v);
  return 0;
}

int v_attr_list(visitor *v, const char *name, dsrc_tapdu *t, dsrc_attr_list *l) {
  return v_attr_list_depth(v, name, t, l, 0);
}

static int v_container_value(visitor *v, dsrc_tapdu *t, dsrc_container *c, unsigned depth) {
  switch (c->kind) {
  case DSRC_C_INTEGER:
    return v_integer(v, NULL, &c->u.integer);
  case DSRC_C_OCTETSTRING:
    return v_octets127(v, NULL, &c->u.octets);
  case DSRC_C_BEACONID:
    return v_beacon_id(v, NULL, &c->u.beacon);
  case DSRC_C_AEID:
    return v_ext(v, NULL, 5, &c->u.aeid);
  case DSRC_C_ASEID:
    return v_ext7(v, NULL, &c->u.ase_id);
  case DSRC_C_ATTRIDLIST:
    return v_attr_ids(v, NULL, &c->u.ids);
  case DSRC_C_ATTRLIST:
    return v_attr_list_depth(v, NULL, t, &c->u.list, depth);
  case DSRC_C_TIME:
    return v_uint(v, NULL, 32, &c->u.time);
  case DSRC_C_GSTRQ:
    TRY(v_seq_begin(v, NULL));
    TRY(v_attr_ids(v, "attributeIdList", &c->u.gstrq.ids));
    TRY(v_octets_open(v, "nonce", &c->u.gstrq.nonce));
    TRY(v_u8(v, "keyRef", 8, &c->u.gstrq.key_ref));
    v_end(v);
    return 0;
  case DSRC_C_GSTRS:
    TRY(v_seq_begin(v, NULL));
    TRY(v_attr_list_depth(v, "attributeList", t, &c->u.gstrs.list, depth));
    TRY(v_octets_open(v, "authenticator", &c->u.gstrs.authenticator));
    v_end(v);
    return 0;
  case DSRC_C_EFCCONTEXT:
    return v_context_mark(v, NULL, &c->u.context_mark);
  case DSRC_C_VEHLPN:
    return v_lpn(v, NULL, &c->u.lpn);
  case DSRC_C_VEHCLASS:
    return v_vehicle_class(v, NULL, &c->u.vehicle_class);
  case DSRC_C_VEHDIMS:
    TRY(v_seq_begin(v, NULL));
    TRY(v_u8(v, "vehicleLengthOverall", 8, &c->u.dims.length));
    TRY(v_u8(v, "vehicleHeightOverall", 8, &c->u.dims.height));
    TRY(v_u8(v, "vehicleWidthOverall", 8, &c->u.dims.width));
    v_end(v);
    return 0;
  case DSRC_C_VEHAXLES:
    return v_axles(v, NULL, &c->u.axles);
  case DSRC_C_VEHWTLIMS:
    TRY(v_seq_begin(v, NULL));
    TRY(v_u16(v, "vehicleMaxLadenWeight", 16, &c->u.weights.max_laden));
    TRY(v_u16(v, "vehicleTrainMaximumWeight", 16, &c->u.weights.train_max));
    TRY(v_u16(v, "vehicleWeightUnladen", 16, &c->u.weights.unladen));
    v_end(v);
    return 0;
  case DSRC_C_VEHSPCHARS:
    return v_specific(v, NULL, &c->u.specific);
  case DSRC_C_EQUOBUID:
    /* EN 15509 fixes SIZE(4), so PER sends no length. */
    return v_octets_fixed(v, NULL, c->u.obu_id, 4);
  case DSRC_C_EQUSTAT:
    TRY(v_seq_begin(v, NULL));
    TRY(v_bits8(v, "forLocalTCUse", 4, &c->u.status.local_use));
    TRY(v_bits16(v, "transactionCounter", 12, &c->u.status.counter));
    v_end(v);
    return 0;
  case DSRC_C_PAYMEANS:
    TRY(v_seq_begin(v, NULL));
    TRY(v_octets_fixed(v, "personalAccountNumber", c->u.payment_means.pan, 10));
    TRY(v_date(v, "paymentMeansExpiryDate", &c->u.payment_means.expiry));
    TRY(v_octets_fixed(v, "paymentMeansUsageControl", c->u.payment_means.usage, 2));
    v_end(v);
    return 0;
  case DSRC_C_RECDATA1:
  case DSRC_C_RECDATA2:
    return v_receipt(v, NULL, &c->u.receipt);
  case DSRC_C_SETMMIRQ:
    return v_u8(v, NULL, 8, &c->u.set_mmi);
  default:
    /* Every other root alternative of En15509Container is NULL. */
    return v_null(v);
  }
}

static int v_container_depth(visitor *v, const char *name, dsrc_tapdu *t, dsrc_container *c,
                             unsigned depth) {
  size_t at = v_pos(v);
  TRY(v_choice_begin(v, name, dsrc_container_names, DSRC_C_ROOT_COUNT, true, 7, &c->kind));
  if (c->kind == DSRC_C_UNIVERSALSTRING || c->kind == DSRC_C_TAPDU)
    return v_fail_at(v, at, name, DSRC_ERR_UNSUPPORTED, "container alternative not supported");
  TRY(v_container_value(v, t, c, depth));
  v_end(v);
  return 0;
}

int v_container(visitor *v, const char *name, dsrc_tapdu *t, dsrc_container *c) {
  return v_container_depth(v, name, t, c, 0);
}

const char *const dsrc_container_names[DSRC_C_ROOT_COUNT] = {
    "integer", "reserved1", "octetstring", "universalString", "beaconId", "t-apdu",
    "dsrcApplicationEntityId", "dsrc-Ase-Id", "attrIdList", "attrList", "broadcastPool",
    "directory", "file", "fileType", "record", "time", "vector", "gstrq", "gstrs", "sstrq",
    "ginrq", "ginrs", "sinrq", "charq", "chars", "cpprq", "subrq", "addrq", "debrq", "debrs",
    "crerq", "crers", "efccontext", "contser", "contval", "contveh", "contauth", "recspt",
    "sessioncls", "recservserialno", "recfinptENV", "reccont", "recObuId", "recIccId",
    "rectext", "recauth", "recdist", "vehlpn", "vehid", "vehclass", "vehdims", "vehaxles",
    "vehwtlims", "vehwtladen", "vehspchars", "vehauth", "equObuId", "equIccId", "equstat",
    "dvrchars", "paymeansEnv", "paymbal", "paymunit", "paysecdata", "paymeans", "recdata1",
    "recdata2", "valofcon", "recfinpt", "setmmirq", "awl", "paca", "eng", "sl", "eev", "dev",
    "co2ev", "vtd", "tlpn", "tch", "anp", "vehicleAxlesHistory", "communicationStatus",
    "gnssStatus", "distanceRecordingStatus", "activeContexts", "obeStatusHistory"};

const char *dsrc_container_kind_name(unsigned kind) {
  return kind < DSRC_C_ROOT_COUNT ? dsrc_container_names[kind] : NULL;
}

bool dsrc_container_kind_is_null(unsigned kind) {
  switch (kind) {
  case DSRC_C_INTEGER: case DSRC_C_OCTETSTRING: case DSRC_C_UNIVERSALSTRING:
  case DSRC_C_BEACONID: case DSRC_C_TAPDU: case DSRC_C_AEID: case DSRC_C_ASEID:
  case DSRC_C_ATTRIDLIST: case DSRC_C_ATTRLIST: case DSRC_C_TIME: case DSRC_C_GSTRQ:
  case DSRC_C_GSTRS: case DSRC_C_EFCCONTEXT: case DSRC_C_VEHLPN: case DSRC_C_VEHCLASS:
  case DSRC_C_VEHDIMS: case DSRC_C_VEHAXLES: case DSRC_C_VEHWTLIMS: case DSRC_C_VEHSPCHARS:
  case DSRC_C_EQUOBUID: case DSRC_C_EQUSTAT: case DSRC_C_PAYMEANS: case DSRC_C_RECDATA1:
  case DSRC_C_RECDATA2: case DSRC_C_SETMMIRQ:
    return false;
  default:
    return kind < DSRC_C_ROOT_COUNT;
  }
}
