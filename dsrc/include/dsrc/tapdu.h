/* Layer 7 T-APDUs of EN 12834 / ISO 14906 as profiled by EN 15509 (type En15509TApdus),
 * as typed C values, with their unaligned-PER codec.
 *
 * Storage is fixed-size: a message never allocates. Lists and strings longer than the
 * limits below are rejected with DSRC_ERR_LIMIT; a 128-octet frame cannot carry more. */
#ifndef DSRC_TAPDU_H
#define DSRC_TAPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dsrc/err.h"

#define DSRC_OCTETS_MAX 127   /* root range of SIZE(0..127,...) strings */
#define DSRC_ATTR_IDS_MAX 64  /* attribute ids in one AttributeIdList */
#define DSRC_POOL_MAX 32      /* attributes in all AttributeLists of one T-APDU */
#define DSRC_APPS_MAX 8       /* applications in one ApplicationList */
#define DSRC_PROFILES_MAX 8   /* profiles in a BST's profileList */

/* T-APDUs CHOICE indices. */
enum dsrc_tapdu_kind {
  DSRC_ACTION_RQ = 0,
  DSRC_ACTION_RS = 1,
  DSRC_EVENT_RQ = 2,
  DSRC_EVENT_RS = 3,
  DSRC_SET_RQ = 4,
  DSRC_SET_RS = 5,
  DSRC_GET_RQ = 6,
  DSRC_GET_RS = 7,
  DSRC_BST = 8,
  DSRC_VST = 9,
  DSRC_TAPDU_KINDS = 10
};

/* En15509Container CHOICE indices efcsim gives a value to; every other root index (0..86)
 * is a NULL alternative in EN 15509 and carries no value. */
enum dsrc_container_kind {
  DSRC_C_INTEGER = 0,
  DSRC_C_OCTETSTRING = 2,
  DSRC_C_UNIVERSALSTRING = 3, /* not supported */
  DSRC_C_BEACONID = 4,
  DSRC_C_TAPDU = 5,           /* not supported */
  DSRC_C_AEID = 6,
  DSRC_C_ASEID = 7,
  DSRC_C_ATTRIDLIST = 8,
  DSRC_C_ATTRLIST = 9,
  DSRC_C_TIME = 15,
  DSRC_C_GSTRQ = 17,
  DSRC_C_GSTRS = 18,
  DSRC_C_EFCCONTEXT = 32,
  DSRC_C_VEHLPN = 47,
  DSRC_C_VEHCLASS = 49,
  DSRC_C_VEHDIMS = 50,
  DSRC_C_VEHAXLES = 51,
  DSRC_C_VEHWTLIMS = 52,
  DSRC_C_VEHSPCHARS = 54,
  DSRC_C_EQUOBUID = 56,
  DSRC_C_EQUSTAT = 58,
  DSRC_C_PAYMEANS = 64,
  DSRC_C_RECDATA1 = 65,
  DSRC_C_RECDATA2 = 66,
  DSRC_C_SETMMIRQ = 69,
  DSRC_C_ROOT_COUNT = 87
};

enum dsrc_action_type {
  DSRC_ACT_GET_STAMPED = 0,
  DSRC_ACT_GET_SECURE = 2,
  DSRC_ACT_SET_MMI = 10,
  DSRC_ACT_ECHO = 15
};

enum dsrc_return_status {
  DSRC_RET_NO_ERROR = 0,
  DSRC_RET_ACCESS_DENIED = 1,
  DSRC_RET_ARGUMENT_ERROR = 2,
  DSRC_RET_COMPLEXITY = 3,
  DSRC_RET_PROCESSING_FAILURE = 4,
  DSRC_RET_PROCESSING = 5,
  DSRC_RET_CHAINING_ERROR = 6
};

enum dsrc_aid { DSRC_AID_EFC = 1, DSRC_AID_FREIGHT = 2, DSRC_AID_CCC = 20, DSRC_AID_LAC = 21 };

typedef struct {
  uint8_t len;
  uint8_t data[DSRC_OCTETS_MAX];
} dsrc_octets;

typedef struct {
  uint8_t count;
  uint8_t ids[DSRC_ATTR_IDS_MAX];
} dsrc_attr_ids;

/* An AttributeList: a slice [first, first+count) of the enclosing dsrc_tapdu's pool. */
typedef struct {
  uint8_t first;
  uint8_t count;
} dsrc_attr_list;

typedef struct {
  uint16_t manufacturer_id;
  uint32_t individual_id; /* 27 bits */
} dsrc_beacon_id;

typedef struct {
  uint16_t country; /* CountryCode, 10 bits ITA.2, right-aligned */
  uint16_t issuer;  /* IssuerIdentifier, 14 bits */
} dsrc_provider;

typedef struct {
  dsrc_provider provider;
  uint8_t type_of_contract[2];
  uint8_t context_version; /* INTEGER(0..127,...) */
} dsrc_context_mark;

typedef struct {
  uint16_t country;
  uint8_t alphabet; /* AlphabetIndicator value, 1..33 (latinAlphabetNo1 = 1) */
  dsrc_octets number;
} dsrc_lpn;

/* En15509VehicleClass: the DEFAULT components keep their presence so a decoded PER value
 * re-encodes to the same bits. JER input drops a component written at its default value
 * (dsrc_vehicle_class_canonical), so one value has one encoding, as in CANONICAL-PER. */
typedef struct {
  bool has_trailer;
  uint8_t trailer; /* 1 bit */
  uint8_t un_ece;  /* 3 bits */
  bool has_local;
  uint8_t local; /* 4 bits */
} dsrc_vehicle_class;

typedef struct {
  uint8_t length, height, width;
} dsrc_vehicle_dims;

typedef struct {
  uint8_t first_axle_height;
  uint8_t tyre_configuration; /* 0..3 */
  uint8_t trailer_axles;      /* 0..7 */
  uint8_t tractor_axles;      /* 0..7 */
} dsrc_vehicle_axles;

typedef struct {
  uint16_t max_laden, train_max, unladen;
} dsrc_vehicle_weights;

typedef struct {
  uint8_t euro_value;  /* 0..15 */
  uint8_t cop_value;   /* 0..15 */
  uint8_t engine;      /* EngineCharacteristics */
  uint8_t descriptive; /* VehicleUsageCategoryType */
  uint8_t future_element; /* 0..1 */
  uint8_t co2_scheme;     /* 0..3 */
  uint8_t co2_class;      /* 0..7 */
  uint8_t suspension;     /* 0..3 */
} dsrc_vehicle_specific;

typedef struct {
  uint8_t local_use; /* 4 bits for the toll charger */
  uint16_t counter;  /* 12-bit transaction counter */
} dsrc_equipment_status;

typedef struct {
  uint16_t year; /* 1990..2117 */
  uint8_t month; /* 0..12 */
  uint8_t day;   /* 0..31 */
} dsrc_date;

typedef struct {
  uint8_t pan[10];
  dsrc_date expiry;
  uint8_t usage[2];
} dsrc_payment_means;

typedef struct {
  dsrc_date date;
  uint8_t hours;       /* 0..23 */
  uint8_t mins;        /* 0..59 */
  uint8_t double_secs; /* 0..30 */
  dsrc_provider service_provider;
  uint16_t location_of_station;
  bool ascending_km;
  uint8_t lane; /* 0..127 */
  uint8_t session_type;
  uint8_t result;
  uint8_t tariff_class;
  uint8_t claimed_class;
  uint16_t fee_amount;
  uint8_t fee_unit[2];
  dsrc_provider contract_provider;
  uint8_t type_of_contract[2];
  uint8_t context_version;
  uint8_t authenticator[4];
} dsrc_receipt;

typedef struct {
  dsrc_attr_ids ids;
  dsrc_octets nonce;
  uint8_t key_ref;
} dsrc_gstrq;

typedef struct {
  dsrc_attr_list list;
  dsrc_octets authenticator;
  /* Set by the PER decoder: where the list's bits lie in the decoded T-APDU, [from, to),
   * so a verifier takes the authenticator's input as received (dsrc_bits_copy) instead of
   * encoding the list again. 0, 0 from any other source (or past 65,535 bits): the
   * list must then be encoded (dsrc_attr_list_encode). */
  uint16_t list_from, list_to;
} dsrc_gstrs;

typedef struct {
  uint8_t kind; /* CHOICE index, 0..86 */
  union {
    int64_t integer;
    dsrc_octets octets;
    dsrc_beacon_id beacon;
    uint8_t aeid;   /* 0..31 */
    uint8_t ase_id; /* 0..127 */
    dsrc_attr_ids ids;
    dsrc_attr_list list;
    uint32_t time;
    dsrc_gstrq gstrq;
    dsrc_gstrs gstrs;
    dsrc_context_mark context_mark;
    dsrc_lpn lpn;
    dsrc_vehicle_class vehicle_class;
    dsrc_vehicle_dims dims;
    dsrc_vehicle_axles axles;
    dsrc_vehicle_weights weights;
    dsrc_vehicle_specific specific;
    uint8_t obu_id[4];
    dsrc_equipment_status status;
    dsrc_payment_means payment_means;
    dsrc_receipt receipt;
    uint8_t set_mmi;
  } u;
} dsrc_container;

typedef struct {
  uint8_t id; /* attributeId, 0..127 */
  dsrc_container value;
} dsrc_attribute;

typedef struct {
  uint8_t aid; /* 0..31 */
  bool has_eid;
  uint8_t eid;
  bool has_parameter;
  dsrc_octets parameter; /* ApplicationContextMark: the octetstring container */
} dsrc_application;

typedef struct {
  uint8_t count;
  dsrc_application items[DSRC_APPS_MAX];
} dsrc_app_list;

typedef struct {
  bool mode;
  uint8_t eid;
  uint8_t type; /* actionType or eventType */
  bool has_credentials;
  dsrc_octets credentials;
  bool has_parameter;
  dsrc_container parameter;
  bool has_iid;
  uint8_t iid;
} dsrc_request; /* Action-Request and Event-Report-Request share this shape */

typedef struct {
  uint8_t fill; /* 1 bit */
  uint8_t eid;
  bool has_iid;
  uint8_t iid;
  bool has_parameter;
  dsrc_container parameter;
  bool has_ret;
  uint8_t ret;
} dsrc_action_rs;

typedef struct {
  uint8_t fill; /* 1 bit */
  bool mode;
  uint8_t eid;
  bool has_credentials;
  dsrc_octets credentials;
  dsrc_attr_list attrs;
  bool has_iid;
  uint8_t iid;
} dsrc_set_rq;

typedef struct {
  uint8_t fill; /* 2 bits */
  uint8_t eid;
  bool has_iid;
  uint8_t iid;
  bool has_ret;
  uint8_t ret;
} dsrc_set_rs;

typedef struct {
  uint8_t fill; /* 1 bit */
  uint8_t eid;
  bool has_credentials;
  dsrc_octets credentials;
  bool has_iid;
  uint8_t iid;
  bool has_ids;
  dsrc_attr_ids ids;
} dsrc_get_rq;

typedef struct {
  uint8_t fill; /* 1 bit */
  uint8_t eid;
  bool has_iid;
  uint8_t iid;
  bool has_attrs;
  dsrc_attr_list attrs;
  bool has_ret;
  uint8_t ret;
} dsrc_get_rs;

typedef struct {
  dsrc_beacon_id rsu;
  uint32_t time;
  uint8_t profile;
  dsrc_app_list mand;
  bool has_nonmand;
  dsrc_app_list nonmand;
  uint8_t profile_count;
  uint8_t profiles[DSRC_PROFILES_MAX];
} dsrc_bst;

typedef struct {
  uint16_t equipment_class; /* 0..32767 */
  uint16_t manufacturer_id;
  bool has_status;
  uint16_t status;
} dsrc_obe_config;

typedef struct {
  uint8_t fill; /* 4 bits */
  uint8_t profile;
  dsrc_app_list apps;
  dsrc_obe_config config;
} dsrc_vst;

typedef struct {
  uint8_t kind; /* enum dsrc_tapdu_kind */
  union {
    dsrc_request action_rq;
    dsrc_action_rs action_rs;
    dsrc_request event_rq;
    dsrc_set_rq set_rq;
    dsrc_set_rs set_rs;
    dsrc_get_rq get_rq;
    dsrc_get_rs get_rs;
    dsrc_bst bst;
    dsrc_vst vst;
  } u;
  uint8_t npool;
  dsrc_attribute pool[DSRC_POOL_MAX];
} dsrc_tapdu;

/* Marks absent the DEFAULT components that hold their default value (trailer '0'B, local
 * class '0000'B), as X.691's canonical encoding omits them; true when one was present. */
bool dsrc_vehicle_class_canonical(dsrc_vehicle_class *k);
/* The same for every vehicle class in t (its parameter and its attribute pool). */
bool dsrc_tapdu_canonical(dsrc_tapdu *t);

/* Sets kind and the pool to empty; the caller fills u. */
void dsrc_tapdu_init(dsrc_tapdu *t, enum dsrc_tapdu_kind kind);

/* Reserves n contiguous attributes in t's pool for list; NULL when the pool is full. */
dsrc_attribute *dsrc_tapdu_attrs_alloc(dsrc_tapdu *t, dsrc_attr_list *list, unsigned n);

/* The attribute i of list (list must belong to t). */
static inline const dsrc_attribute *dsrc_tapdu_attr(const dsrc_tapdu *t, dsrc_attr_list list,
                                                    unsigned i) {
  return &t->pool[list.first + i];
}

/* Decodes one T-APDU (UPER, padded to whole octets) from buf. Returns the octets it used,
 * or a negative dsrc_err; *bitpos (optional) gets the bit offset where decoding stopped,
 * which on error is where the fault was found. Octets after the T-APDU are not read. */
dsrc_ssize dsrc_tapdu_decode(dsrc_tapdu *t, const uint8_t *buf, size_t len, size_t *bitpos);

/* Encodes t into buf; returns octets written or a negative dsrc_err. */
dsrc_ssize dsrc_tapdu_encode(uint8_t *buf, size_t cap, const dsrc_tapdu *t);

/* Name of a T-APDU kind as in the En15509TApdus CHOICE ("getRequest"); NULL if unknown. */
const char *dsrc_tapdu_kind_name(unsigned kind);

/* Name of an En15509Container alternative ("paymeans"); NULL if not a root index. */
const char *dsrc_container_kind_name(unsigned kind);

/* True for the root alternatives EN 15509 declares NULL (they carry no value). */
bool dsrc_container_kind_is_null(unsigned kind);

/* Top-level encodings of single types, for test vectors and tools. Same conventions. */
dsrc_ssize dsrc_beacon_id_decode(dsrc_beacon_id *v, const uint8_t *buf, size_t len, size_t *bitpos);
dsrc_ssize dsrc_beacon_id_encode(uint8_t *buf, size_t cap, const dsrc_beacon_id *v);
dsrc_ssize dsrc_context_mark_decode(dsrc_context_mark *v, const uint8_t *buf, size_t len,
                                    size_t *bitpos);
dsrc_ssize dsrc_context_mark_encode(uint8_t *buf, size_t cap, const dsrc_context_mark *v);
/* A BST value without the T-APDU CHOICE index. */
dsrc_ssize dsrc_bst_decode(dsrc_bst *v, const uint8_t *buf, size_t len, size_t *bitpos);
dsrc_ssize dsrc_bst_encode(uint8_t *buf, size_t cap, const dsrc_bst *v);
/* An AttributeList as it appears inside GetStampedRs (count, then each attribute): the
 * input of the EN 15509 authenticator. */
dsrc_ssize dsrc_attr_list_encode(uint8_t *buf, size_t cap, const dsrc_tapdu *t, dsrc_attr_list list);
/* Bits [from, to) of in (len octets), most significant first, into out as whole octets
 * with zero padding: a field of a decoded PER encoding as it would encode on its own.
 * Returns octets written, or DSRC_ERR_RANGE (to < from, or past len) or DSRC_ERR_NOBUF. */
dsrc_ssize dsrc_bits_copy(uint8_t *out, size_t cap, const uint8_t *in, size_t len, size_t from, size_t to);
/* The reverse: decodes such a list into t's pool (t's kind and body are left alone). */
dsrc_ssize dsrc_attr_list_decode(dsrc_tapdu *t, dsrc_attr_list *list, const uint8_t *buf, size_t len,
                                 size_t *bitpos);

#endif
