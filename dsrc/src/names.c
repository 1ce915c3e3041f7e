/* Names of the T-APDU kinds and container alternatives (the JER member names). */
#include "dsrc/tapdu.h"
#include "names.h"

const char *const dsrc_tapdu_names[DSRC_TAPDU_KINDS] = {
    "actionRequest", "actionResponse", "eventReportRequest", "eventReportResponse",
    "setRequest",    "setResponse",    "getRequest",         "getResponse",
    "initialisationRequest", "initialisationResponse"};

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

const char *dsrc_tapdu_kind_name(unsigned kind) {
  return kind < DSRC_TAPDU_KINDS ? dsrc_tapdu_names[kind] : NULL;
}
