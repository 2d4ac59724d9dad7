package io.trackside.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GtagItemsTest {

  @Test
  void everyKeyGtagWritesHasItsField() {
    assertThat(GtagItems.product("id123~nmShirt~brAcme~caA~c2B~c3C~c4D~c5E~vaBlue~pr19.99~qt2~cpC10~ds1.5~lnList~liL1"
        + "~lp3~afStore~loLoc~cnCreative~csSlot~piP1~pnPromo").toString()).isEqualTo("{\"product_id\":\"123\","
        + "\"name\":\"Shirt\",\"brand\":\"Acme\",\"category\":\"A\",\"category2\":\"B\",\"category3\":\"C\","
        + "\"category4\":\"D\",\"category5\":\"E\",\"variant\":\"Blue\",\"price\":19.99,\"quantity\":2,"
        + "\"coupon\":\"C10\",\"discount\":1.5,\"item_list_name\":\"List\",\"item_list_id\":\"L1\",\"position\":3,"
        + "\"affiliation\":\"Store\",\"location_id\":\"Loc\",\"creative_name\":\"Creative\",\"creative_slot\":\"Slot\","
        + "\"promotion_id\":\"P1\",\"promotion_name\":\"Promo\"}");
  }

  @Test
  void customParametersPairByIndexAndTildesAreDoubled() {
    assertThat(GtagItems.product("idX~k0colour~v0blue~kAsize~vAL~~XL~k1orphan").toString())
        .isEqualTo("{\"product_id\":\"X\",\"colour\":\"blue\",\"size\":\"L~XL\"}");
    assertThat(GtagItems.tokens("nmA~~~idB")).containsExactly("nmA~", "idB");
    assertThat(GtagItems.product("nm~~~~").get("name").asText()).isEqualTo("~~");
  }

  @Test
  void itemsAreOrderedByNumberAndOnlyPr1ToPr200Count() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("pr10", "idTen");
    params.put("pr2", "idTwo");
    params.put("pr201", "idTooMany");
    params.put("pr0", "idZero");
    params.put("pr02", "idLeadingZero");
    params.put("prx", "idNot");
    params.put("pr3", "");
    assertThat(GtagItems.products(params)).extracting(p -> p.get("product_id").asText()).containsExactly("Two", "Ten");
  }
}
